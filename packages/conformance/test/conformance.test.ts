import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memory, tensor } from '@axon/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { ax } from '../src/api';
import { compareValues, describeMismatch } from '../src/compare';
import { type FixtureTensor, parseFixtureText } from '../src/fixture';
import type { GroupMappings } from '../src/mapping';
import { MAPPINGS } from '../src/ops';
import { formatSkippedOps, formatSummary, runConformance } from '../src/runner';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(PKG, 'fixtures');
const TOL = { rtol: 1e-4, atol: 1e-5 };

const golden = (data: number[], shape = [data.length]): FixtureTensor => ({ shape, dtype: 'float64', data });

describe('compareValues', () => {
  // For g = 2 the budget is atol + rtol·|g| = 1e-5 + 2e-4 = 2.1e-4.
  it('passes a value just inside the tolerance and fails one just outside', () => {
    const inside = compareValues([2 + 2.0e-4], [1], golden([2]), TOL);
    expect(inside.ok).toBe(true);
    expect(inside.maxRatio).toBeCloseTo(2.0e-4 / 2.1e-4, 6);
    expect(inside.worst).toBeUndefined();
    expect(compareValues([2 - 2.09e-4], [1], golden([2]), TOL).ok).toBe(true);
    const out = compareValues([2 + 2.2e-4], [1], golden([2]), TOL);
    expect(out.ok).toBe(false);
    expect(out.badCount).toBe(1);
    expect(out.maxAbsErr).toBeCloseTo(2.2e-4, 12);
    expect(out.maxRelErr).toBeCloseTo(1.1e-4, 12);
  });

  it('uses atol alone where the golden is zero', () => {
    expect(compareValues([0.9e-5], [1], golden([0]), TOL).ok).toBe(true);
    const out = compareValues([1.1e-5], [1], golden([0]), TOL);
    expect(out.ok).toBe(false);
    expect(out.maxRelErr).toBe(Number.POSITIVE_INFINITY);
  });

  it('names the worst element by its multi-index', () => {
    const out = compareValues([1, 2, 3, 4, 5, 6.5], [2, 3], golden([1, 2, 3, 4, 5, 6], [2, 3]), TOL);
    expect(out.ok).toBe(false);
    expect(out.worst).toMatchObject({ index: [1, 2], actual: 6.5, expected: 6 });
    expect(out.worst!.ratio).toBeCloseTo(0.5 / (1e-5 + 6e-4), 9);
    expect(describeMismatch(out)).toBe(
      'max abs err 0.5, max rel err 0.0833333 (1 element out of tolerance; worst at [1, 2]: got 6.5, expected 6)',
    );
  });

  it('fails NaN results, shape mismatches, and matches non-finite goldens exactly', () => {
    expect(compareValues([Number.NaN], [1], golden([1]), TOL).ok).toBe(false);
    expect(compareValues([Number.NaN], [1], golden([Number.NaN]), TOL).ok).toBe(true);
    expect(compareValues([Number.NEGATIVE_INFINITY], [1], golden([Number.NEGATIVE_INFINITY]), TOL).ok).toBe(
      true,
    );
    expect(compareValues([Number.POSITIVE_INFINITY], [1], golden([Number.NEGATIVE_INFINITY]), TOL).ok).toBe(
      false,
    );
    const wrongShape = compareValues([1, 2, 3, 4], [4], golden([1, 2, 3, 4], [2, 2]), TOL);
    expect(wrongShape.ok).toBe(false);
    expect(describeMismatch(wrongShape)).toBe('shape [4], expected [2, 2]');
    // A 0-d golden and a 0-d result.
    expect(compareValues([3], [], golden([3], []), TOL).ok).toBe(true);
  });
});

describe('summary lines', () => {
  it('ends a run with "N passed, N failed, N skipped" and lists skipped ops above it', () => {
    expect(formatSummary({ passed: 115, failed: 2, skipped: 52 })).toBe('115 passed, 2 failed, 52 skipped');
    expect(formatSkippedOps({ skippedOps: ['LSTM', 'optim.SGD'] })).toBe('skipped ops: LSTM, optim.SGD');
    expect(formatSkippedOps({ skippedOps: [] })).toBe('skipped ops: none');
  });
});

describe('parseFixtureText', () => {
  it("reads Python's bare NaN / Infinity in data, and leaves strings alone", () => {
    const text =
      '{"schema_version": 1, "group": "g", "cases": [{"notes": "NaN", "t": {"data": [NaN, -Infinity, Infinity, 1.5]}}]}';
    const f = parseFixtureText(text);
    const c = f.cases[0] as unknown as { notes: string; t: { data: number[] } };
    expect(c.notes).toBe('NaN');
    expect(c.t.data[0]).toBeNaN();
    expect(c.t.data.slice(1)).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1.5]);
  });
});

describe('the runner', () => {
  it('catches a wrong forward, a wrong gradient, and skips ops that are not exported', () => {
    const swapped: Record<string, GroupMappings> = {
      elementwise: {
        // add mapped to sub: the output is wrong.
        add: { forward: (c) => ({ out: ax.sub(c.t.a, c.t.b) }) },
        // b copied into a constant: the output is right, b's gradient is zero.
        mul: {
          forward: (c) => ({
            out: ax.mul(c.t.a, tensor(c.t.b.dataSync(), { shape: c.t.b.shape, dtype: c.t.b.dtype })),
          }),
        },
        exp: {
          forward: (c) => ({ out: (ax as unknown as Record<string, (x: unknown) => never>).notAnOp(c.t.x) }),
        },
      },
    };
    const summary = runConformance({ dir: FIXTURES, filter: 'elementwise/', mappings: swapped });
    const byId = new Map(summary.results.map((r) => [r.id, r]));

    const add = byId.get('elementwise/add_2x3x4_3x1')!;
    expect(add.status).toBe('fail');
    expect(add.problems[0]).toMatch(
      /^output 'out': max abs err [\d.e-]+, max rel err [\d.e-]+ \(\d+ elements? out/,
    );

    const mul = byId.get('elementwise/mul_2x3x4_3x1')!;
    expect(mul.status).toBe('fail');
    expect(mul.problems).toHaveLength(1);
    expect(mul.problems[0]).toMatch(/^grad 'b': /);

    const exp = byId.get('elementwise/exp')!;
    expect(exp.status).toBe('skip');
    expect(exp.skipReason).toBe("'@axon/tensor' does not export 'notAnOp'");
    // Ops with no mapping at all (sub, div, ...) are skipped too and listed by op name.
    expect(summary.skippedOps).toEqual(['sub', 'div', 'exp', 'log', 'sqrt', 'abs', 'neg', 'pow', 'clamp']);
  });

  it('frees every tensor it makes', () => {
    const before = memory().numTensors;
    const summary = runConformance({ dir: FIXTURES, filter: 'elementwise/' });
    expect(summary.passed).toBe(28);
    expect(memory().numTensors).toBe(before);
  });

  it('passes every mapped case of the committed fixtures (skips allowed)', () => {
    const summary = runConformance({ dir: FIXTURES });
    const failures = summary.results
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.id}: ${r.problems.join('; ')}`);
    expect(failures).toEqual([]);
    expect(summary.results).toHaveLength(232);
    // The groups mapped here must really run, not skip wholesale.
    for (const group of Object.keys(MAPPINGS)) {
      expect(
        summary.results.some((r) => r.group === group && r.status === 'pass'),
        group,
      ).toBe(true);
    }
  });
});

describe('the command line', () => {
  // tsx is a devDependency of the workspace root.
  const tsx = join(PKG, '..', '..', 'node_modules', '.bin', 'tsx');
  const cli = join(PKG, 'src', 'cli.ts');
  const tmp = mkdtempSync(join(tmpdir(), 'axon-conformance-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // Asynchronous, so the test worker keeps answering the runner while the CLI runs (a worker
  // blocked for a minute on a loaded machine trips vitest's RPC timeout).
  const runCli = (args: string[]): Promise<{ code: number; out: string }> =>
    new Promise((resolve) => {
      execFile(
        tsx,
        ['--conditions=source', cli, ...args],
        { encoding: 'utf8', cwd: tmp },
        (error, stdout, stderr) => {
          const code = error ? ((error as { code?: number }).code ?? 1) : 0;
          resolve({ code, out: error ? stdout + stderr : stdout });
        },
      );
    });

  it('exits 0 with the summary as its last line when everything selected passes', async () => {
    const { code, out } = await runCli(['--filter', 'elementwise/']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('28 passed, 0 failed, 0 skipped');
    expect(lines.at(-2)).toBe('skipped ops: none');
  }, 180_000); // a process of its own: seconds idle, room for a loaded machine

  it('exits 1 and names the tensor when a golden is off', async () => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, 'elementwise.json'), 'utf8'));
    fixture.cases = fixture.cases.filter((c: { id: string }) => c.id === 'elementwise/exp');
    fixture.cases[0].grads.x.data[3] += 0.01;
    writeFileSync(join(tmp, 'elementwise.json'), JSON.stringify(fixture));
    const { code, out } = await runCli([tmp]);
    expect(code).toBe(1);
    expect(out).toContain('FAIL elementwise/exp');
    expect(out).toMatch(/grad 'x': max abs err 0\.01\d*, max rel err/);
    expect(out.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  }, 180_000);

  it('reports a backend that cannot be loaded', async () => {
    const { code, out } = await runCli(['--backend', 'nosuch']);
    expect(code).toBe(1);
    expect(out).toContain("cannot load backend 'nosuch'");
  }, 180_000);
});
