/**
 * How long test code keeps the event loop to itself. A test runner talks to its worker over
 * messages that only arrive when the worker's event loop turns (vitest's worker RPC gives up after
 * a fixed 60 s), so one long synchronous stretch, slowed 20× on a loaded machine, can fail a run
 * whose tests all passed. `watchEventLoop` measures the stretches; the vitest setup file
 * `block_watch_setup.ts` wires it to each test and prints what it found.
 *
 * How it measures: a timer due every `resolutionMs` notes when it really ran; the time between two
 * runs, when longer than `thresholdMs`, is a stretch in which nothing else could run (synchronous
 * code, or promise callbacks chained without a macrotask between them). A stretch is measured to
 * within `resolutionMs`, and is named by the labels (`mark`) that were current while it lasted.
 */

/**
 * Resolves after the event loop has gone once through each of its phases: timers, then I/O (where
 * a worker receives its test runner's messages), then immediates. A test that does much
 * synchronous work awaits this between chunks of it. (`setImmediate` alone can resolve without
 * reaching the timers or the I/O phase, and an already-resolved promise lets nothing else run.)
 */
export async function turnEventLoop(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
}

/** One stretch in which the event loop did not turn. */
export interface Stretch {
  /** Its length in milliseconds (within `resolutionMs` above the real figure). */
  ms: number;
  /** When it began, as `performance.now()`. */
  start: number;
  /** The labels current while it lasted (the first is the one current when it began). */
  labels: string[];
}

export interface BlockReport {
  /** The longest stretches, longest first (at most `keep`). */
  longest: Stretch[];
  /** Per label, the longest stretch it was part of (labels with no stretch above the threshold are left out). */
  byLabel: Record<string, number>;
  /** The longest stretch (0 if none passed the threshold). */
  maxMs: number;
  /** The stretches above the threshold, all together. */
  totalMs: number;
  /** How long the watch ran. */
  watchedMs: number;
}

export interface BlockWatch {
  /** From now on, stretches are named `label` (e.g. the test that is starting). */
  mark(label: string): void;
  /** The report so far, counting the stretch in progress. */
  report(): BlockReport;
  /** Stops the timer and returns the final report. */
  stop(): BlockReport;
}

export interface BlockWatchOptions {
  /** How often the timer is due (default 10 ms). */
  resolutionMs?: number;
  /** Shorter stretches are not recorded (default 50 ms). */
  thresholdMs?: number;
  /** How many of the longest stretches the report lists (default 10). */
  keep?: number;
  /** Label until the first `mark` (default '(start)'). */
  label?: string;
}

/** Starts watching the event loop of this thread (the timer is unref'd: it keeps no process alive). */
export function watchEventLoop(options: BlockWatchOptions = {}): BlockWatch {
  const { resolutionMs = 10, thresholdMs = 50, keep = 10, label = '(start)' } = options;
  const began = performance.now();
  let last = began;
  let current = label;
  /** Labels marked since the last tick (they all took part in the stretch that ends at the next one). */
  let marked: string[] = [];
  const longest: Stretch[] = [];
  const byLabel = new Map<string, number>();
  let totalMs = 0;

  const record = (start: number, ms: number, labels: string[]): void => {
    totalMs += ms;
    for (const l of labels) byLabel.set(l, Math.max(byLabel.get(l) ?? 0, ms));
    longest.push({ ms, start, labels });
    longest.sort((a, b) => b.ms - a.ms);
    if (longest.length > keep) longest.length = keep;
  };

  /** The stretch since the last tick, and the labels it spans. */
  const pending = (now: number): [number, string[]] => {
    const first = marked.length > 0 ? marked[0] : current;
    return [now - last, [...new Set([first, ...marked])]];
  };

  const tick = (): void => {
    const now = performance.now();
    const [ms, labels] = pending(now);
    if (ms >= thresholdMs) record(last, ms, labels);
    last = now;
    marked = [];
  };
  const timer = setInterval(tick, resolutionMs);
  timer.unref?.();

  const report = (): BlockReport => {
    const now = performance.now();
    const [ms, labels] = pending(now);
    const list = [...longest];
    const labelMax = new Map(byLabel);
    let total = totalMs;
    if (ms >= thresholdMs) {
      list.push({ ms, start: last, labels });
      list.sort((a, b) => b.ms - a.ms);
      if (list.length > keep) list.length = keep;
      for (const l of labels) labelMax.set(l, Math.max(labelMax.get(l) ?? 0, ms));
      total += ms;
    }
    return {
      longest: list,
      byLabel: Object.fromEntries([...labelMax].sort((a, b) => b[1] - a[1])),
      maxMs: list.length > 0 ? list[0].ms : 0,
      totalMs: total,
      watchedMs: now - began,
    };
  };

  return {
    mark(next: string): void {
      if (marked.length === 0) marked.push(current);
      marked.push(next);
      current = next;
    },
    report,
    stop(): BlockReport {
      clearInterval(timer);
      return report();
    },
  };
}

/** A few lines for a log: the longest stretches, each with its labels. */
export function formatBlockReport(report: BlockReport, top = 3): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  if (report.longest.length === 0) return 'event loop: no synchronous stretch above the threshold';
  const lines = [
    `event loop: longest synchronous stretch ${s(report.maxMs)} (stretches above the threshold: ${s(report.totalMs)} of ${s(report.watchedMs)})`,
  ];
  for (const st of report.longest.slice(0, top)) lines.push(`  ${s(st.ms)}  ${st.labels.join(' | ')}`);
  return lines.join('\n');
}
