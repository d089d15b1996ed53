import type { Logs } from './types';

/** Where progress goes: process.stdout by default. A bar is drawn only on a TTY. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export type ProgressMode = boolean | 'auto';

/** Whether the environment variable CI is set (to anything but '', '0' or 'false'). */
export function isCI(): boolean {
  const env = typeof process !== 'undefined' ? process.env : undefined;
  const v = env?.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

const SHORT: Record<string, string> = {
  accuracy: 'acc',
  binary_accuracy: 'bin_acc',
};

/** The short label a logs key shows under in progress output ('val_accuracy' → 'val_acc'). */
export function shortKey(key: string): string {
  const val = key.startsWith('val_');
  const base = val ? key.slice(4) : key;
  const top = /^top(\d+)_accuracy$/.exec(base);
  const short = SHORT[base] ?? (top ? `top${top[1]}` : base);
  return val ? `val_${short}` : short;
}

/** A number as a progress line shows it: 4 decimals, or 4 significant digits in exponent form when tiny/huge. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return v.toFixed(4);
}

/** 'loss 0.4123  acc 0.9120  val_loss 0.5001' (training keys first, then val_*; lr and lr_* left out). */
export function formatLogs(logs: Logs): string {
  const keys = Object.keys(logs).filter((k) => k !== 'lr' && !k.startsWith('lr_'));
  const ordered = [...keys.filter((k) => !k.startsWith('val_')), ...keys.filter((k) => k.startsWith('val_'))];
  return ordered.map((k) => `${shortKey(k)} ${formatValue(logs[k])}`).join('  ');
}

/** The line printed at the end of each epoch: `epoch 3/10  loss 0.4123  acc 0.9120  val_loss 0.5001  12.3 s`. */
export function epochLine(epoch: number, epochs: number, logs: Logs, seconds: number): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`, formatLogs(logs), `${seconds.toFixed(1)} s`];
  return parts.filter(Boolean).join('  ');
}

/**
 * Within an epoch, a plain line (no bar) once this many seconds have passed since the epoch began
 * or since the last such line, so that a log of a long epoch shows it moving.
 */
export const PLAIN_LINE_SECONDS = 60;

/** A line within an epoch: `epoch 3/40  600/1875  d_loss 1.3000  61.2 s  eta 130 s`. */
export function batchLine(
  label: string,
  done: number,
  total: number | undefined,
  logs: Logs,
  seconds: number,
): string {
  const count = total ? `${done}/${total}` : `${done}`;
  const eta = total && done < total ? `eta ${Math.round((seconds / done) * (total - done))} s` : '';
  return [label, count, formatLogs(logs), `${seconds.toFixed(1)} s`, eta].filter(Boolean).join('  ');
}

interface BarLike {
  start(total: number, value: number, payload?: object): void;
  update(value: number, payload?: object): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * Progress of a fit: a cli-progress bar per epoch on a TTY (replaced by the epoch's summary line
 * when the epoch ends), or plain lines when the output is not a TTY or CI is set: one per epoch,
 * and within an epoch one every PLAIN_LINE_SECONDS (batches done, the logs read back so far, the
 * time and what is left of it).
 */
export class Progress {
  private bar: BarLike | null = null;
  private epochLabel = '';
  private epochBatches: number | undefined;
  private epochStarted = 0;
  private lastLine = 0;

  private constructor(
    private readonly output: ProgressOutput,
    private readonly makeBar: (() => BarLike) | null,
    private readonly clock: () => number,
  ) {}

  /**
   * null when `mode` is false. true and 'auto' both pick a bar or plain lines from the output.
   * `clock` gives milliseconds (performance.now by default; tests pass their own).
   */
  static async create(mode: ProgressMode, output?: ProgressOutput, clock = now): Promise<Progress | null> {
    if (mode === false) return null;
    const out: ProgressOutput | undefined =
      output ?? (typeof process !== 'undefined' ? (process.stdout as ProgressOutput) : undefined);
    if (!out) return null;
    if (!out.isTTY || isCI()) return new Progress(out, null, clock);
    const cli = await import('cli-progress');
    const SingleBar = (cli.SingleBar ??
      (cli as unknown as { default: typeof cli }).default.SingleBar) as typeof cli.SingleBar;
    const make = (): BarLike =>
      new SingleBar({
        stream: out as NodeJS.WritableStream,
        format: (_options, params, payload: { label?: string; logs?: string }) => {
          const width = 24;
          const known = params.total > 0;
          const filled = known ? Math.min(width, Math.round(params.progress * width)) : 0;
          const bar = known ? `[${'='.repeat(filled)}${'-'.repeat(width - filled)}]` : '';
          const count = known ? `${params.value}/${params.total}` : `${params.value}`;
          const eta =
            known && Number.isFinite(params.eta) && params.value < params.total
              ? `  eta ${params.eta} s`
              : '';
          return [payload.label, bar, count, payload.logs].filter(Boolean).join(' ') + eta;
        },
        hideCursor: true,
        clearOnComplete: true,
        gracefulExit: true,
        fps: 10,
      });
    return new Progress(out, make, clock);
  }

  get usesBar(): boolean {
    return this.makeBar !== null;
  }

  epochBegin(epoch: number, epochs: number, batches: number | undefined): void {
    this.epochLabel = `epoch ${epoch + 1}/${epochs}`;
    this.epochBatches = batches;
    this.epochStarted = this.lastLine = this.clock();
    if (!this.makeBar) return;
    this.bar = this.makeBar();
    this.bar.start(batches ?? 0, 0, { label: this.epochLabel, logs: '' });
  }

  batchEnd(done: number, logs: Logs): void {
    if (this.makeBar) {
      this.bar?.update(done, { label: this.epochLabel, logs: formatLogs(logs) });
      return;
    }
    const t = this.clock();
    if (t - this.lastLine < PLAIN_LINE_SECONDS * 1000) return;
    this.lastLine = t;
    const seconds = (t - this.epochStarted) / 1000;
    this.output.write(`${batchLine(this.epochLabel, done, this.epochBatches, logs, seconds)}\n`);
  }

  /** The epoch's summary line, timed from epochBegin (validation included). */
  epochEnd(epoch: number, epochs: number, logs: Logs): void {
    this.closeBar();
    const seconds = (this.clock() - this.epochStarted) / 1000;
    this.output.write(`${epochLine(epoch, epochs, logs, seconds)}\n`);
  }

  /** Ends a bar still open (training stopped or failed mid-epoch). */
  close(): void {
    this.closeBar();
  }

  private closeBar(): void {
    if (!this.bar) return;
    this.bar.stop();
    this.bar = null;
  }
}

/** Milliseconds from a monotonic clock where there is one. */
function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
