import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchNorm1d, LayerNorm, Linear, Module, registerLayer, Sequential, Tanh } from '@axon/layers';
import { dcganGenerator, denseAutoencoder } from '@axon/models';
import { mul, randn, type Tensor, ValueError } from '@axon/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeOnnx,
  ONNX_OPSETS,
  onnxExportableLayers,
  readOnnx,
  registerOnnxExporter,
  saveOnnx,
  toOnnx,
} from '../src';
import { expectOrtMatches } from './ort';

const dir = mkdtempSync(join(tmpdir(), 'axon-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('toOnnx', () => {
  it('names initializers by state-dict path, once per tensor (tied weights stay tied)', () => {
    const model = denseAutoencoder({ inputSize: 6, hiddenSizes: [4], latentSize: 2, tied: true });
    const onnx = decodeOnnx(toOnnx(model, randn([1, 6])));
    const names = onnx.graph.initializer.map((t) => t.name);
    expect(names).toContain('encoder.0.weight');
    expect(names.filter((n) => n === 'encoder.0.weight')).toHaveLength(1);
    expect(onnx.graph.input[0].type.tensor_type.shape?.dim[0]).toEqual({ dim_param: 'batch' });
    expect(onnx.opset_import).toEqual([{ version: 17 }]); // the default domain '' is not written
  });

  it(`runs in ONNX Runtime at every opset ${ONNX_OPSETS.min}..${ONNX_OPSETS.max}`, async () => {
    const model = new Sequential(new Linear(4, 6), new LayerNorm(6), new Tanh());
    for (let opset = ONNX_OPSETS.min; opset <= ONNX_OPSETS.max; opset++) {
      await expectOrtMatches(`opset ${opset}`, model, randn([2, 4]), { opset, batchAxis: null });
    }
  });

  it('saveOnnx writes atomically; readOnnx reads it back', async () => {
    const path = join(dir, 'm.onnx');
    await saveOnnx(path, new Linear(3, 2), randn([1, 3]), { docString: 'a test' });
    const onnx = await readOnnx(path);
    expect(onnx.doc_string).toBe('a test');
    expect(onnx.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'Identity']);
    expect(readdirSync(dir)).toEqual(['m.onnx']);
    await expect(readOnnx(join(dir, 'nope.onnx'))).rejects.toThrow(/readOnnx: cannot read/);
  });

  it('refuses what it cannot export, naming the layer and its path', () => {
    const noStats = new Sequential(new Linear(2, 2), new BatchNorm1d(2, { trackRunningStats: false }));
    expect(() => toOnnx(noStats, randn([2, 2]))).toThrow(
      "toOnnx: cannot export '1' (BatchNorm1d): trackRunningStats is false",
    );
    const conditional = dcganGenerator({ latentSize: 4, imageSize: 8, features: 2, numClasses: 3 });
    expect(() => toOnnx(conditional, randn([2, 4]))).toThrow(/needs \[z, labels\]/);
    expect(() => toOnnx(new Linear(2, 2), randn([1, 2]), { opset: 13 })).toThrow(ValueError);
    expect(() => toOnnx(new Linear(2, 2), randn([1, 2]), { inputNames: ['a', 'b'] })).toThrow(/1 input name/);
  });

  it('takes exporters for layers from other packages', async () => {
    class Double extends Module {
      forward(x: Tensor): Tensor {
        return mul(x, 2);
      }
      static fromConfig(): Double {
        return new Double();
      }
    }
    registerLayer('InteropTestDouble', Double);
    expect(() => toOnnx(new Double(), randn([1, 2]))).toThrow(
      /cannot export the model \(InteropTestDouble\)/,
    );
    registerOnnxExporter('InteropTestDouble', (m: Double, [x], ctx) => ({
      name: ctx.node('Add', [x.name, x.name]),
      sample: m.forward(x.sample),
    }));
    expect(onnxExportableLayers()).toContain('InteropTestDouble');
    await expectOrtMatches('registered exporter', new Sequential(new Double(), new Tanh()), randn([3, 2]));
  });
});
