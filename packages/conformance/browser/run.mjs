#!/usr/bin/env node
/**
 * Runs @axon/backend-gpu in a real browser: Debian's Chromium, headless, WebGL2 on SwiftShader
 * (the browser conformance page of @axon/conformance).
 *
 *   node packages/conformance/browser/run.mjs [--bench] [--bench-only] [--filter SUBSTR]
 *                                             [--bench-scale X] [--keep] [--verbose]
 *
 * 1. bundles browser/page.ts with esbuild for the browser (gpu.js → its browser build; workspace
 *    packages through their `source` condition) into a temp folder, with the conformance fixtures;
 * 2. serves that folder on 127.0.0.1 (a free port, closed at the end, and by a watchdog);
 * 3. drives /usr/bin/chromium with playwright-core: checks that gpu.js runs WebGL2, runs every
 *    conformance case on the gpu backend, and a CPU-vs-GPU training parity test;
 * 4. with --bench: times Axon gpu vs Axon cpu vs tfjs-backend-webgl in the same page.
 *
 * Exits 1 when a case fails, the mode is not webgl2, or training parity fails (2 on a harness error).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', 'fixtures');
const CHROMIUM = process.env.AXON_CHROMIUM ?? '/usr/bin/chromium';
/** The whole run is killed after this long (the server and the browser with it). */
const WATCHDOG_MS = Number(process.env.AXON_BROWSER_TIMEOUT_MS ?? 15 * 60_000);
const EXPECTED_MODE = 'webgl2';

const { values: opts } = parseArgs({
  options: {
    bench: { type: 'boolean' },
    'bench-only': { type: 'boolean' },
    'bench-scale': { type: 'string' },
    'bench-filter': { type: 'string' },
    filter: { type: 'string' },
    keep: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(
    'usage: node packages/conformance/browser/run.mjs [--bench] [--bench-only] [--filter SUBSTR] [--bench-scale X] [--keep] [--verbose]',
  );
  process.exit(0);
}
const benchOnly = opts['bench-only'] === true;
const doBench = opts.bench === true || benchOnly;
const benchScale = Number(opts['bench-scale'] ?? 1);

const cleanups = [];
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch {
      // best effort
    }
  }
}
const watchdog = setTimeout(async () => {
  console.error(`browser harness: watchdog: still running after ${WATCHDOG_MS / 1000} s, stopping`);
  await cleanup();
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

/** Bundles the page and copies the fixtures into a fresh temp folder. */
async function prepare() {
  const dir = await mkdtemp(join(tmpdir(), 'axon-browser-'));
  if (!opts.keep) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const t0 = performance.now();
  await build({
    entryPoints: [join(HERE, 'page.ts')],
    outfile: join(dir, 'page.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['source'],
    // Node-only code the page reaches but never runs (the zoo's training loop: its progress bar and
    // file helpers), all behind dynamic imports: left as imports instead of bundled.
    external: ['node:*', 'cli-progress'],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await mkdir(join(dir, 'fixtures'));
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) await copyFile(join(FIXTURES, f), join(dir, 'fixtures', f));
  await writeFile(join(dir, 'fixtures', 'index.json'), JSON.stringify(files));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>axon gpu</title><link rel="icon" href="data:,"><script type="module" src="page.js"></script>\n',
  );
  console.log(
    `bundled page.js and ${files.length} fixture files into ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return dir;
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A static file server on 127.0.0.1, on a free port; closed by cleanup. */
async function serve(root) {
  const server = createServer(async (req, res) => {
    try {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const file = join(root, path === sep ? 'index.html' : path);
      if (!file.startsWith(root + sep)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address();
  return `http://127.0.0.1:${port}/`;
}

async function openPage(url) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set AXON_CHROMIUM`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  page.on('console', (m) => {
    // The GL driver's "GPU stall due to ReadPixels" is what every read-back is; not worth a line.
    const noise = m.text().includes('GPU stall due to ReadPixels');
    if (opts.verbose || ((m.type() === 'error' || m.type() === 'warning') && !noise)) {
      console.log(`[page ${m.type()}] ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => 'axonHarness' in globalThis, null, { timeout: 60_000 });
  return { browser, page };
}

const fmtErr = (v) =>
  !Number.isFinite(v)
    ? String(v)
    : v === 0
      ? '0'
      : v >= 1e-3 && v < 1e4
        ? v.toPrecision(4)
        : v.toExponential(2);

/** Runs every fixture file's cases on the gpu backend, printing failures as they come. */
async function conformance(page) {
  const files = await page.evaluate(() => globalThis.axonHarness.fixtureFiles());
  const all = [];
  let leaked = 0;
  let ms = 0;
  for (const file of files) {
    const r = await page.evaluate(
      ([f, filter]) => globalThis.axonHarness.conformance(f, filter),
      [file, opts.filter],
    );
    all.push(...r.results);
    leaked += r.leakedTensors;
    ms += r.ms;
    const count = (s) => r.results.filter((c) => c.status === s).length;
    if (r.results.length > 0) {
      console.log(
        `${r.group.padEnd(18)} ${String(count('pass')).padStart(3)} passed ${String(count('fail')).padStart(3)} failed ${String(count('skip')).padStart(3)} skipped  (${(r.ms / 1000).toFixed(1)} s)`,
      );
    }
    for (const c of r.results) {
      const tag = c.edge ? ' (edge)' : '';
      if (c.status === 'fail') {
        console.log(`  FAIL ${c.id}${tag}`);
        for (const p of c.problems) console.log(`       ${p}`);
      } else if (opts.verbose && c.status === 'pass') {
        console.log(
          `  pass ${c.id}${tag}  (worst error ${((c.worstRatio ?? 0) * 100).toFixed(1)}% of tolerance)`,
        );
      } else if (opts.verbose) {
        console.log(`  skip ${c.id}${tag}: ${c.skipReason}`);
      }
    }
  }
  const count = (s) => all.filter((c) => c.status === s).length;
  const summary = {
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
    skippedOps: [...new Set(all.filter((c) => c.status === 'skip').map((c) => c.op))],
    notImplemented: all.filter((c) => c.problems.some((p) => p.includes('kernel not implemented yet')))
      .length,
    leaked,
    ms,
  };
  return summary;
}

function printTraining(t) {
  console.log('');
  console.log(
    `training parity (2→32→32→3 tanh MLP, cross-entropy, SGD+momentum, ${t.steps} steps, same seed)`,
  );
  const fmtCurve = (r) => r.curve.map((p) => `${p.step}:${p.loss.toFixed(5)}`).join('  ');
  console.log(
    `  cpu  ${fmtCurve(t.cpu)}  acc ${(t.cpu.accuracy * 100).toFixed(1)}%  ${(t.cpu.ms / 1000).toFixed(1)} s`,
  );
  if (t.gpu) {
    console.log(
      `  gpu  ${fmtCurve(t.gpu)}  acc ${(t.gpu.accuracy * 100).toFixed(1)}%  ${(t.gpu.ms / 1000).toFixed(1)} s`,
    );
    console.log(
      `  final loss cpu ${t.cpu.finalLoss.toPrecision(7)}, gpu ${t.gpu.finalLoss.toPrecision(7)}: relative difference ${fmtErr(t.relDiff)} (limit 1e-2); gpu kernel launches ${t.gpu.launches} (cpu run: ${t.cpu.launches}), compiles ${t.gpu.compiles}; leaked tensors ${t.gpu.leakedTensors}`,
    );
  }
  if (t.error) console.log(`  gpu training threw ${t.error}`);
  console.log(`training: ${t.ok ? 'PASS' : 'FAIL'}`);
}

function printBench(b, mode, renderer) {
  const ms = (v) => (v === undefined ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const ratio = (a, c) => (a === undefined || c === undefined ? '—' : `${(a / c).toFixed(2)}×`);
  const header = [
    'case',
    'axon-gpu ms',
    'axon-cpu ms',
    'tfjs-webgl ms',
    'gpu/cpu',
    'gpu/tfjs',
    'GFLOP/s gpu',
    'max rel diff gpu, tfjs',
  ];
  const rows = b.rows.map((r) => [
    r.name,
    ms(r.ms['axon-gpu']),
    ms(r.ms['axon-cpu']),
    ms(r.ms['tfjs-webgl']),
    ratio(r.ms['axon-gpu'], r.ms['axon-cpu']),
    ratio(r.ms['axon-gpu'], r.ms['tfjs-webgl']),
    r.ms['axon-gpu'] ? (r.flops / r.ms['axon-gpu'] / 1e6).toFixed(2) : '—',
    `${r.diff['axon-gpu'] === undefined ? '—' : fmtErr(r.diff['axon-gpu'])}, ${r.diff['tfjs-webgl'] === undefined ? '—' : fmtErr(r.diff['tfjs-webgl'])}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(`bench: medians, results read back inside the timed region; interleaved; mode ${mode}`);
  console.log(`  axon renderer: ${renderer}; tfjs backend ${b.tfBackend}, renderer ${b.tfRenderer}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('  (x/y ratios are times: below 1× means axon-gpu is faster)');
  for (const r of b.rows) {
    if (r.name.startsWith('MLP') || r.name.startsWith('CNN')) {
      const loss = (who) => (r.first[who] === undefined ? '—' : r.first[who].toPrecision(7));
      console.log(
        `  ${r.name}: last loss axon-gpu ${loss('axon-gpu')}, axon-cpu ${loss('axon-cpu')}, tfjs-webgl ${loss('tfjs-webgl')}`,
      );
    }
    for (const [who, e] of Object.entries(r.errors)) console.log(`  ${r.name}: ${who} could not run: ${e}`);
  }
  if (b.leakedTensors !== 0) console.log(`  leaked Axon tensors after the bench: ${b.leakedTensors}`);
}

async function main() {
  const t0 = performance.now();
  const dir = await prepare();
  const url = await serve(dir);
  const { browser, page } = await openPage(url);
  console.log(`chromium ${browser.version()} at ${CHROMIUM}; page ${url}`);

  let failed = false;
  const info = await page.evaluate(() => globalThis.axonHarness.info());
  console.log(
    `gpu backend: mode ${info.mode}, renderer ${info.gpu.renderer}, max texture ${info.gpu.maxTextureSize}, tolerance scale rtol×${info.toleranceScale.rtol} atol×${info.toleranceScale.atol}`,
  );
  if (info.mode !== EXPECTED_MODE) {
    console.log(`FAIL: expected mode ${EXPECTED_MODE}, got ${info.mode} (${info.gpu.fallbackReason})`);
    failed = true;
  }

  let summary = null;
  let training = null;
  if (!benchOnly) {
    console.log('');
    console.log(`conformance on gpu (${info.mode})${opts.filter ? `, filter '${opts.filter}'` : ''}`);
    summary = await conformance(page);
    training = await page.evaluate(() => globalThis.axonHarness.trainingParity(300, 0));
    printTraining(training);
    if (summary.failed > 0 || !training.ok) failed = true;
    if (summary.leaked !== 0) {
      console.log(`FAIL: the conformance cases leaked ${summary.leaked} tensors`);
      failed = true;
    }
  }
  if (doBench) {
    try {
      const b = await page.evaluate(
        ([scale, only]) => globalThis.axonHarness.bench(scale, only),
        [benchScale, opts['bench-filter']],
      );
      printBench(b, info.mode, info.gpu.renderer);
    } catch (e) {
      console.log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
      failed = true;
    }
  }
  console.log('');
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (summary) {
    if (summary.notImplemented > 0) {
      console.log(`(${summary.notImplemented} failed cases hit 'gpu: kernel not implemented yet')`);
    }
    console.log(`skipped ops: ${summary.skippedOps.length ? summary.skippedOps.join(', ') : 'none'}`);
    console.log(`training parity: ${training.ok ? 'pass' : 'FAIL'}`);
    console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
  }
  return failed ? 1 : 0;
}

main()
  .then(async (code) => {
    await cleanup();
    clearTimeout(watchdog);
    process.exitCode = code;
  })
  .catch(async (e) => {
    console.error(`browser harness: ${opts.verbose || !(e instanceof Error) ? (e?.stack ?? e) : e.message}`);
    await cleanup();
    clearTimeout(watchdog);
    process.exitCode = 2;
  });
