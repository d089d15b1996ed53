/**
 * A vitest setup file (`setupFiles: ['@axon/testing/event-loop-setup']`; the one module of this
 * package that imports vitest) that keeps a test file from holding its worker's event loop across
 * tests, and can measure how long it holds it (see `event_loop.ts`).
 *
 * - Always: before each test, waits for one turn of the event loop (`turnEventLoop`). vitest runs
 *   the tests of a file back to back without one, so a file of synchronous tests is otherwise one
 *   single synchronous stretch (all its tests together), and the worker answers no message from
 *   vitest's main process until it ends: its RPC gives up after 60 s. With the yield, a stretch
 *   is at most one test (and a test doing much synchronous work should yield inside, too).
 * - With `AXON_BLOCK_WATCH=1`: prints each file's longest synchronous stretches after its tests,
 *   each named by the tests (or '(import and collect)', '(hooks)') it spanned.
 * - With `AXON_BLOCK_WATCH=/some/file.jsonl`: also appends one JSON line per test file there
 *   (`{ file, mode, maxMs, byLabel, longest }`), for comparing runs.
 *
 * It only reports: no test fails because of a figure it measures.
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { formatBlockReport, turnEventLoop, watchEventLoop } from './event_loop';

interface Named {
  name: string;
  suite?: Named;
}

/** 'describe > it' names, without the file. */
function fullName(task: Named): string {
  const names: string[] = [];
  for (let t: Named | undefined = task; t; t = t.suite) if (t.name) names.unshift(t.name);
  return names.join(' > ');
}

const target = process.env.AXON_BLOCK_WATCH;
const watch = target ? watchEventLoop({ label: '(import and collect)' }) : undefined;

beforeEach(async (ctx) => {
  await turnEventLoop();
  watch?.mark(fullName(ctx.task as Named));
});

if (target && watch) {
  const jsonl = target === '1' ? null : target;
  let file = '(unknown file)';
  beforeAll((suite) => {
    const path = (suite as { file?: { filepath?: string } }).file?.filepath;
    if (path) file = relative(process.cwd(), path);
    watch.mark('(hooks)');
  });
  afterEach(() => watch.mark('(hooks)'));
  afterAll(() => {
    const report = watch.stop();
    console.log(`${file}: ${formatBlockReport(report, 5)}`);
    if (jsonl) {
      const line = {
        file,
        mode: process.env.AXON_GPU_MODE ?? process.env.AXON_EXPECT_GPU_MODE ?? null,
        maxMs: Math.round(report.maxMs),
        byLabel: Object.fromEntries(Object.entries(report.byLabel).map(([k, v]) => [k, Math.round(v)])),
        longest: report.longest.map((s) => ({ ms: Math.round(s.ms), labels: s.labels })),
      };
      appendFileSync(jsonl, `${JSON.stringify(line)}\n`);
    }
  });
}
