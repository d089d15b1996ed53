/**
 * `--walls`: the wall time of the two programs a user meets first, each run as a child process
 * exactly as the root package.json's scripts say (the script's command with node_modules/.bin on
 * the PATH, as pnpm runs it; pnpm's own start-up, a few tenths of a second, is left out):
 *
 * - `pnpm start --json` — examples/mnist-mlp with its default 5 epochs, then test, save and plot;
 * - `pnpm example mnist-cnn --epochs 1 --json` — one epoch of the convnet, validation and test.
 *
 * Besides the wall clock it reads what the programs report: fit's epoch lines
 * (`epoch 1/5  loss …  12.3 s`, the epoch's training plus validation time), the final
 * `<name>: done in X s` and the --json line (test accuracy). With --quick both run with --smoke
 * (a few batches), which checks the plumbing, not the speed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WallResult {
  /** What a user types. */
  label: string;
  /** What ran. */
  command: string;
  exitCode: number;
  wallSeconds: number;
  /** The program's own `done in X s` (its whole run, from its process start). */
  reportedSeconds?: number;
  /** fit's per-epoch seconds (training and validation). */
  epochSeconds: number[];
  testAccuracy?: number;
  /** The last lines of output when the run failed. */
  tail?: string;
}

function scripts(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts;
}

function runScript(label: string, script: string, args: string[]): Promise<WallResult> {
  const command = [scripts()[script], ...args].join(' ');
  const env = {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    child.stderr.on('data', (d: string) => {
      out += d;
    });
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - started) / 1000;
      const lines = out.split('\n').map((l) => l.trim());
      const epochSeconds = lines
        .map((l) => /^epoch \d+\/\d+\b.*\s(\d+(?:\.\d+)?) s$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => Number(m[1]));
      const done = lines.map((l) => /: done in (\d+(?:\.\d+)?) s$/.exec(l)).find((m) => m !== null);
      let testAccuracy: number | undefined;
      const jsonLine = [...lines].reverse().find((l) => l.startsWith('{'));
      if (jsonLine) {
        try {
          const acc = (JSON.parse(jsonLine) as { testAccuracy?: unknown }).testAccuracy;
          if (typeof acc === 'number') testAccuracy = acc;
        } catch {
          // not the report line
        }
      }
      const result: WallResult = {
        label,
        command,
        exitCode: code ?? -1,
        wallSeconds,
        epochSeconds,
        reportedSeconds: done ? Number(done[1]) : undefined,
        testAccuracy,
      };
      if (code !== 0) result.tail = lines.filter(Boolean).slice(-8).join('\n');
      resolve(result);
    });
  });
}

/** Runs the two programs one after the other (never alongside the timed cases). */
export async function runWalls(quick: boolean): Promise<WallResult[]> {
  // Outputs go to a temporary folder: a timed run must not replace the models the examples keep
  // in their out/ folders (mnist-cnn's classifier scores the GAN examples).
  const dir = mkdtempSync(path.join(tmpdir(), 'axon-walls-'));
  const smoke = [...(quick ? ['--smoke'] : []), '--out', dir];
  const out: WallResult[] = [];
  process.stderr.write('walls: pnpm start ...\n');
  out.push(await runScript(`pnpm start${quick ? ' --smoke' : ''}`, 'start', [...smoke, '--json']));
  process.stderr.write('walls: pnpm example mnist-cnn --epochs 1 ...\n');
  out.push(
    await runScript(`pnpm example mnist-cnn --epochs 1${quick ? ' --smoke' : ''}`, 'example', [
      'mnist-cnn',
      '--epochs',
      '1',
      ...smoke,
      '--json',
    ]),
  );
  rmSync(dir, { recursive: true, force: true });
  return out;
}

export function formatWalls(results: readonly WallResult[]): string {
  const header = ['program', 'wall s', 'reported s', 'fit epochs s (train+val)', 'test acc'];
  const rows = results.map((r) => [
    r.label,
    r.wallSeconds.toFixed(1),
    r.reportedSeconds === undefined ? '—' : r.reportedSeconds.toFixed(1),
    r.epochSeconds.length === 0
      ? '—'
      : `${r.epochSeconds.reduce((a, b) => a + b, 0).toFixed(1)} (${r.epochSeconds.map((s) => s.toFixed(1)).join(' + ')})`,
    r.testAccuracy === undefined ? '—' : `${(r.testAccuracy * 100).toFixed(2)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const r of results) {
    if (r.exitCode !== 0) lines.push(`\n${r.label} exited with ${r.exitCode}:\n${r.tail ?? ''}`);
  }
  return lines.join('\n');
}
