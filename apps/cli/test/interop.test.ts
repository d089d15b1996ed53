// `axon export` and `axon import` on an mlp trained by `axon train`: the ONNX export (run in ONNX
// Runtime, which this checkout has through @axon/interop's tests), the PyTorch safetensors, and
// those weights imported back into a model that computes exactly what the trained one does; and
// the errors: usage (exit 2) and files that do not fit (exit 1, naming the file).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnx, saveSafetensors } from '@axon/interop';
import { Linear, load, Sequential, save } from '@axon/layers';
import { Generator, rand, zeros } from '@axon/tensor';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { axon, tempDir } from './helpers';

// The last test hides onnxruntime-node from the export, as on a machine without it.
const ortMissing = vi.hoisted(() => ({ value: false }));
vi.mock('../src/onnx_runtime', async (original) => {
  const actual = await original<typeof import('../src/onnx_runtime')>();
  return { ...actual, loadOnnxRuntime: () => (ortMissing.value ? undefined : actual.loadOnnxRuntime()) };
});

const tmp = tempDir();
const at = (name: string) => join(tmp.dir, name);
const modelPath = at('mlp.axon');

beforeAll(async () => {
  const run = await axon('train', 'mlp', '--epochs', '1', '--limit', '256', '--out', tmp.dir);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
});
afterAll(() => tmp.remove());

describe('export and import', () => {
  it('exports ONNX (checked in ONNX Runtime) and safetensors, and imports them back', async () => {
    const exported = await axon(
      'export',
      modelPath,
      '--onnx',
      at('mlp.onnx'),
      '--safetensors',
      at('mlp.safetensors'),
    );
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const [onnx, checked, weights] = exported.out.trim().split('\n');
    expect(onnx).toBe(
      `wrote ${at('mlp.onnx')}: opset 17, 5 nodes (Reshape, Gemm ×2, Relu, Identity), 5 initializers, ` +
        `${statSync(at('mlp.onnx')).size.toLocaleString('en-US')} bytes; input [batch, 1, 28, 28] float32`,
    );
    expect(checked).toMatch(/^checked in ONNX Runtime [\d.]+: max \|ORT − Axon\| \S+ on 2 random examples$/);
    expect(weights).toMatch(
      /^wrote .*mlp\.safetensors: 4 tensors, 101,770 values, [\d,]+ bytes \(PyTorch names\)$/,
    );
    const graph = (await readOnnx(at('mlp.onnx'))).graph;
    expect(graph.initializer.map((t) => t.name)).toContain('1.weight'); // the state dict's names

    const imported = await axon('import', at('mlp.safetensors'), '--model', 'mlp', '--out', at('back.axon'));
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.out).toBe(
      `wrote ${at('back.axon')} (mlp): 4 tensors, 101,770 values, from ${at('mlp.safetensors')}\n`,
    );
    const [trained, back] = [(await load(modelPath)).model, (await load(at('back.axon'))).model];
    const x = rand([8, 1, 28, 28], { generator: new Generator(1) });
    expect(Array.from(back.forward(x).dataSync())).toEqual(Array.from(trained.forward(x).dataSync()));

    const info = await axon('info', at('back.axon'));
    expect(info.out).toContain(`imported   axon import ${at('mlp.safetensors')} --model mlp`);
    const [evalTrained, evalBack] = [
      await axon('eval', modelPath, '--limit', '100'),
      await axon('eval', at('back.axon'), '--limit', '100'),
    ];
    expect(evalBack.code).toBe(0);
    expect(evalBack.out).toBe(evalTrained.out);
  });

  it('fixes the batch with --batch-size, and takes --input-shape for a model of no family', async () => {
    const fixed = await axon(
      'export',
      modelPath,
      '--onnx',
      at('b4.onnx'),
      '--batch-size',
      '4',
      '--no-verify',
    );
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain('input [4, 1, 28, 28] float32');
    expect(fixed.out).not.toContain('ONNX Runtime');

    await save(new Linear(3, 2), at('linear.axon'));
    const unknown = await axon('export', at('linear.axon'), '--onnx', at('linear.onnx'));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(`axon: ${at('linear.axon')}: a Linear model, which no model family`);
    expect(unknown.err).toContain('--input-shape 1,1,28,28');
    expect(existsSync(at('linear.onnx'))).toBe(false);
    const given = await axon(
      'export',
      at('linear.axon'),
      '--onnx',
      at('linear.onnx'),
      '--input-shape',
      '1,3',
    );
    expect(given.code).toBe(0);
    expect(given.out).toContain('input [batch, 3] float32');

    // A Sequential is read as an mlp, but this one does not take MNIST images.
    await save(new Sequential(new Linear(3, 2)), at('seq.axon'));
    const shape = await axon('export', at('seq.axon'), '--onnx', at('seq.onnx'));
    expect(shape.code).toBe(1);
    expect(shape.err).toContain(`${at('seq.axon')}: the model does not take the input of mlp models`);
    expect(shape.err).toContain('--input-shape');
  });

  it('exits 2 on usage errors', async () => {
    const none = await axon('export', modelPath);
    expect(none.code).toBe(2);
    expect(none.err).toContain('say what to write: --onnx <out.onnx>, --safetensors <out.safetensors>');
    const stray = await axon('export', modelPath, '--safetensors', at('x.safetensors'), '--opset', '18');
    expect(stray.code).toBe(2);
    expect(stray.err).toContain('--opset goes with --onnx');
    const opset = await axon('export', modelPath, '--onnx', at('x.onnx'), '--opset', '16');
    expect(opset.code).toBe(2);
    expect(opset.err).toContain('expected an opset from 17 to 21');
    const noModel = await axon('import', at('mlp.safetensors'));
    expect(noModel.code).toBe(2);
    expect(noModel.err).toContain("required option '--model <name>' not specified");
    const badModel = await axon('import', at('mlp.safetensors'), '--model', 'resnet');
    expect(badModel.code).toBe(2);
    expect(badModel.err).toContain('Allowed choices are mlp, cnn');
  });

  it('exits 1 naming the file when the weights do not fit the model', async () => {
    const family = await axon('import', at('mlp.safetensors'), '--model', 'cnn', '--out', at('no.axon'));
    expect(family.code).toBe(1);
    expect(family.err).toContain(`axon: ${at('mlp.safetensors')}: not the weights of cnn`);
    expect(family.err).toContain('missing: 0.weight');

    await saveSafetensors(at('shape.safetensors'), {
      '1.weight': zeros([128, 780]),
      '1.bias': zeros([128]),
      '3.weight': zeros([10, 128]),
      '3.bias': zeros([10]),
    });
    const shape = await axon('import', at('shape.safetensors'), '--model', 'mlp', '--out', at('no.axon'));
    expect(shape.code).toBe(1);
    expect(shape.err).toContain(`axon: ${at('shape.safetensors')}: not the weights of mlp`);
    expect(shape.err).toContain("'1.weight' has shape [128, 780], the model expects [128, 784]");
    expect(existsSync(at('no.axon'))).toBe(false);

    const missing = await axon('import', at('none.safetensors'), '--model', 'mlp');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`axon: ${at('none.safetensors')}: no such file\n`);
  });

  it('writes the ONNX file unchecked, and says so, where onnxruntime-node cannot be loaded', async () => {
    ortMissing.value = true;
    try {
      const run = await axon('export', modelPath, '--onnx', at('unchecked.onnx'));
      expect(run.code).toBe(0);
      expect(run.out).toContain(
        'not checked in ONNX Runtime: onnxruntime-node cannot be loaded here (see --help)',
      );
    } finally {
      ortMissing.value = false;
    }
  });
});
