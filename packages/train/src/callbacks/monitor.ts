import { ValueError } from '@axon/tensor';
import type { Logs } from '../types';

export type MonitorMode = 'min' | 'max' | 'auto';

/** 'auto' means 'max' for accuracy-like keys ('acc' in the name), 'min' otherwise. */
export function resolveMode(monitor: string, mode: MonitorMode, who: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto')
    throw new ValueError(`${who}: mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`);
  return /acc/.test(monitor) ? 'max' : 'min';
}

export function monitored(logs: Logs, monitor: string, who: string): number {
  const v = logs[monitor];
  if (typeof v !== 'number') {
    const hint = monitor.startsWith('val_') ? " (val_* keys need fit's valData)" : '';
    throw new ValueError(
      `${who}: monitor '${monitor}' is not in the epoch logs${hint}; available: ${Object.keys(logs).join(', ')}`,
    );
  }
  return v;
}

/** Whether `value` beats `best` by more than `minDelta` (NaN never does). */
export function improves(value: number, best: number, mode: 'min' | 'max', minDelta = 0): boolean {
  if (Number.isNaN(value)) return false;
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}
