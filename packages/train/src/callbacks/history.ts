import type { Callback, Logs } from '../types';

/** The JSON form of a History. */
export interface HistoryJSON {
  epoch: number[];
  history: Record<string, number[]>;
}

/**
 * Per-epoch logs of a fit: `history.history.loss[i]` is the training loss of epoch `epoch[i]`
 * (0-based), next to the metrics (or a custom step's logged scalars), 'val_*' values and 'lr' (the
 * learning rate of the epoch's last step, parameter group 0; 'lr_<name>' for each of several
 * optimizers). A key missing from some epoch holds NaN there. Always on: fit
 * adds one and returns it.
 */
export class History implements Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  onEpochEnd(epoch: number, logs: Logs): void {
    const n = this.epoch.length;
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      this.history[key] ??= new Array<number>(n).fill(Number.NaN);
      this.history[key].push(value);
    }
    for (const values of Object.values(this.history)) if (values.length === n) values.push(Number.NaN);
  }

  /** The values of one key, per recorded epoch ([] when the key was never logged). */
  get(key: string): number[] {
    return this.history[key] ?? [];
  }

  /** Logged keys, in first-seen order. */
  keys(): string[] {
    return Object.keys(this.history);
  }

  toJSON(): HistoryJSON {
    return {
      epoch: [...this.epoch],
      history: Object.fromEntries(Object.entries(this.history).map(([k, v]) => [k, [...v]])),
    };
  }

  static fromJSON(json: HistoryJSON): History {
    const h = new History();
    h.epoch.push(...json.epoch);
    for (const [k, v] of Object.entries(json.history)) h.history[k] = [...v];
    return h;
  }
}
