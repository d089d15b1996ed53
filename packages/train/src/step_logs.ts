/**
 * The logs of custom steps, kept on the device between read-backs. A step returns its scalars as
 * tensors; reading each one back at every step would make the host wait for the device every step
 * (a synchronous readback on the gpu backend). Instead each key's sum (value × batch size) is
 * accumulated with tensor ops and read back, all keys in one `data()` call, only when the loop
 * asks: every `logEvery` batches and at the epoch's end.
 */
import { noGrad } from '@axon/autograd';
import {
  cast,
  describeValue,
  fmtShape,
  keep,
  reshape,
  ShapeError,
  stack,
  Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import type { Logs } from './types';

/** What a window read back: each key's sum of value × batch size, and the batch sizes summed. */
export interface WindowSums {
  sums: Record<string, number>;
  weights: Record<string, number>;
}

interface Entry {
  /** The sum of the tensor values so far (float32, on the device; kept), or null. */
  device: Tensor | null;
  /** The sum of the number values so far. */
  host: number;
  weight: number;
}

/** Keys a step may not log: fit adds them itself. */
export function checkLogKey(key: string, what: string): void {
  if (!key || key === 'size' || key === 'lr' || key.startsWith('lr_') || key.startsWith('val_')) {
    throw new ValueError(
      `${what}: the log name '${key}' is reserved (size, lr, lr_*, val_* are fit's own; the empty name is not allowed)`,
    );
  }
}

/** Step logs summed since the last read-back. */
export class LogWindow {
  private readonly entries = new Map<string, Entry>();

  /** `what` names the step in errors ('fit: trainStep'). */
  constructor(private readonly what: string) {}

  /** Nothing added since the last read-back. */
  get empty(): boolean {
    return this.entries.size === 0;
  }

  /** Adds one step's logs, each weighted by `size` (the batch size). Reads nothing back. */
  add(logs: unknown, size: number): void {
    if (logs === null || typeof logs !== 'object' || Array.isArray(logs) || logs instanceof Tensor) {
      throw new ValueError(
        `${this.what}: expected the step to return its logs as an object of named scalars ({ loss }), got ${describeValue(logs)}`,
      );
    }
    const items = Object.entries(logs as Record<string, unknown>);
    for (const [key, v] of items) {
      checkLogKey(key, this.what);
      if (typeof v === 'number') continue;
      if (!(v instanceof Tensor)) {
        throw new ValueError(
          `${this.what}: expected log '${key}' to be a scalar Tensor or a number, got ${describeValue(v)}`,
        );
      }
      if (v.isDisposed) throw new ValueError(`${this.what}: log '${key}' is a disposed Tensor`);
      if (v.size !== 1) {
        throw new ShapeError(
          `${this.what}: expected log '${key}' to be a scalar (a 0-d or 1-element Tensor, or a number), got shape ${fmtShape(v.shape)}`,
        );
      }
    }
    for (const [key, v] of items as [string, Tensor | number][]) {
      let e = this.entries.get(key);
      if (!e) {
        e = { device: null, host: 0, weight: 0 };
        this.entries.set(key, e);
      }
      e.weight += size;
      if (typeof v === 'number') {
        e.host += v * size;
        continue;
      }
      const prev = e.device;
      e.device = noGrad(() =>
        tidy(() => {
          const term = reshape(v.dtype === 'float32' ? v : cast(v, 'float32'), []).mul(size);
          return keep(prev ? prev.add(term) : term);
        }),
      );
      prev?.dispose();
    }
  }

  /** Reads the sums back (one `data()` call for all the tensor-valued keys) and starts a new window. */
  async read(): Promise<WindowSums> {
    const entries = [...this.entries];
    this.entries.clear();
    const onDevice = entries.filter(([, e]) => e.device !== null);
    let values: ArrayLike<number> = [];
    try {
      if (onDevice.length === 1) values = await (onDevice[0][1].device as Tensor).data();
      else if (onDevice.length > 1) {
        const packed = tidy(() => stack(onDevice.map(([, e]) => e.device as Tensor)));
        try {
          values = await packed.data();
        } finally {
          packed.dispose();
        }
      }
    } finally {
      for (const [, e] of onDevice) e.device?.dispose();
    }
    const out: WindowSums = { sums: {}, weights: {} };
    let i = 0;
    for (const [key, e] of entries) {
      out.sums[key] = e.host + (e.device !== null ? Number(values[i++]) : 0);
      out.weights[key] = e.weight;
    }
    return out;
  }

  /** Frees the device sums (training failed or stopped between read-backs). */
  dispose(): void {
    for (const e of this.entries.values()) e.device?.dispose();
    this.entries.clear();
  }
}

/** Host-side sums over several windows: an epoch's logs. */
export class LogMeans {
  private readonly sums = new Map<string, number>();
  private readonly weights = new Map<string, number>();

  add(w: WindowSums): void {
    for (const [key, s] of Object.entries(w.sums)) {
      this.sums.set(key, (this.sums.get(key) ?? 0) + s);
      this.weights.set(key, (this.weights.get(key) ?? 0) + w.weights[key]);
    }
  }

  /** Each key's mean, weighted by batch size, in first-logged order. */
  means(): Logs {
    const out: Logs = {};
    for (const [key, s] of this.sums) out[key] = s / (this.weights.get(key) as number);
    return out;
  }
}

/** A window's means (each key's sum over its weight). */
export function windowMeans(w: WindowSums): Logs {
  const out: Logs = {};
  for (const [key, s] of Object.entries(w.sums)) out[key] = s / w.weights[key];
  return out;
}
