import { describe, expect, it } from 'vitest';
import { formatBlockReport, turnEventLoop, watchEventLoop } from '../src';

/** Keeps the thread busy for at least `ms` milliseconds. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('turnEventLoop', () => {
  it('lets timers and immediates queued before it run', async () => {
    const ran: string[] = [];
    setTimeout(() => ran.push('timer'), 0);
    setImmediate(() => ran.push('immediate'));
    await Promise.resolve();
    expect(ran).toEqual([]);
    await turnEventLoop();
    expect(ran.sort()).toEqual(['immediate', 'timer']);
  });
});

describe('watchEventLoop', () => {
  it('finds a synchronous stretch and names it by the labels current while it lasted', async () => {
    const watch = watchEventLoop({ label: 'idle', thresholdMs: 100 });
    await turnEventLoop();
    watch.mark('first');
    busy(150);
    watch.mark('second');
    busy(100);
    await turnEventLoop();
    watch.mark('after');
    const report = watch.stop();
    // Lower bounds only: a loaded machine makes a stretch longer, never shorter.
    expect(report.maxMs).toBeGreaterThanOrEqual(250);
    expect(report.longest[0].ms).toBe(report.maxMs);
    expect(report.longest[0].labels).toEqual(expect.arrayContaining(['first', 'second']));
    expect(report.longest[0].labels).not.toContain('after');
    expect(report.byLabel.second).toBeGreaterThanOrEqual(250);
    expect(report.totalMs).toBeGreaterThanOrEqual(report.maxMs);
    expect(formatBlockReport(report)).toMatch(/^event loop: longest synchronous stretch \d+\.\d\d s/);
  });

  it('counts the stretch in progress when stopped', () => {
    const watch = watchEventLoop({ label: 'now', thresholdMs: 50 });
    busy(80);
    const report = watch.stop();
    expect(report.longest[0].labels).toEqual(['now']);
    expect(report.maxMs).toBeGreaterThanOrEqual(80);
  });
});
