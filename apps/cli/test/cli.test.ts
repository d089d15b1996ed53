// The command line itself: help, version, exit codes and the messages of usage errors and of
// missing files; and the built-in bench, which runs without the repository's bench.
import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES } from '../src/families';
import { axon } from './helpers';

describe('usage', () => {
  it('prints help with exit code 0, for the program and for each command', async () => {
    const top = await axon('--help');
    expect(top.code).toBe(0);
    expect(top.out).toContain('Usage: axon');
    for (const command of ['train', 'eval', 'sample', 'info', 'export', 'import', 'bench']) {
      expect(top.out).toContain(command);
    }
    const train = await axon('train', '--help');
    expect(train.code).toBe(0);
    for (const name of FAMILY_NAMES) expect(train.out).toContain(`  ${name} `);
    for (const command of ['eval', 'sample', 'info', 'export', 'import', 'bench']) {
      const help = await axon(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.out).toContain(`Usage: axon ${command}`);
    }
  });

  it('prints the version', async () => {
    const run = await axon('--version');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 without a command, with an unknown command or model, or a bad option value', async () => {
    const none = await axon();
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: axon');

    const unknown = await axon('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'frobnicate'");

    const model = await axon('train', 'resnet');
    expect(model.code).toBe(2);
    expect(model.err).toContain("'resnet'");
    expect(model.err).toContain(FAMILY_NAMES.join(', ')); // the known models, listed

    const epochs = await axon('train', 'mlp', '--epochs', '0');
    expect(epochs.code).toBe(2);
    expect(epochs.err).toMatch(/--epochs.*expected an integer >= 1/);

    const backend = await axon('train', 'mlp', '--backend', 'tpu');
    expect(backend.code).toBe(2);
    expect(backend.err).toContain('cpu, gpu');

    const data = await axon('eval', 'model.axon', '--data', 'imagenet');
    expect(data.code).toBe(2);
    expect(data.err).toContain('mnist, fashion-mnist');

    const missing = await axon('info');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'file'");

    const option = await axon('info', 'model.axon', '--fast');
    expect(option.code).toBe(2);
    expect(option.err).toContain("unknown option '--fast'");
  });

  it('exits 1 naming the path of a file that is not there', async () => {
    for (const command of ['info', 'eval', 'sample']) {
      const run = await axon(command, 'no/such/model.axon');
      expect(run.code, command).toBe(1);
      expect(run.err).toBe('axon: no/such/model.axon: no such file\n');
    }
  });

  it('exits 1 on a file that is not an Axon model', async () => {
    const run = await axon('info', 'package.json');
    expect(run.code).toBe(1);
    expect(run.err).toContain('package.json: not an Axon model file');
  });
});

describe('bench', () => {
  it('runs the built-in benchmark, and refuses the repository-only options with it', async () => {
    const run = await axon('bench', '--builtin', '--quick', '--json');
    expect(run.code).toBe(0);
    expect(run.out).toContain('axon bench (built-in): cpu backend');
    expect(run.out).toMatch(/matmul 64x64 float32 .* GFLOP\/s/);
    expect(run.out).toMatch(/mlp 784-128-10 training step, batch 64 .* samples\/s/);
    const json = JSON.parse(run.out.trim().split('\n').at(-1) ?? '');
    expect(json.results.map((r: { name: string }) => r.name)).toHaveLength(3);
    for (const r of json.results) expect(r.rate).toBeGreaterThan(0);

    const peers = await axon('bench', '--builtin', '--peers');
    expect(peers.code).toBe(2);
    expect(peers.err).toContain("--peers and --walls need the repository's bench");
  });
});
