#!/usr/bin/env node
/**
 * The playground in a real browser: Debian's Chromium, headless, WebGL2 on SwiftShader, driven by
 * playwright-core (the same browser and flags as @axon/backend-gpu's browser harness).
 *
 *   node apps/playground/test/browser.mjs        (pnpm -F @axon/playground test:browser)
 *
 * 1. exports the image subsets if needed and runs `vite build` (the production bundle);
 * 2. serves dist/ with `vite preview` on 127.0.0.1 (a free port);
 * 3. in the page, through its buttons and fields: trains the spirals MLP for 300 steps on the gpu
 *    backend (the loss must fall to under half and a boundary must be drawn), downloads the model,
 *    resets, uploads the file (the boundary's probabilities must come back identical), moves it to
 *    the cpu backend (they must agree within 1e-3), trains 300 steps on the cpu, then XOR, and a
 *    few steps of an MNIST MLP, an MNIST VAE, a Fashion-MNIST autoencoder, an MNIST GAN and an
 *    MNIST RBM (the generative ones must draw their sample grid); prints steps/s;
 * 4. fails on any console error, page error or request to another host (the page is offline).
 *
 * Screenshots go to apps/playground/out/ (git-ignored). Without /usr/bin/chromium (or
 * AXON_CHROMIUM) it prints why and exits 0: CI installs the browser before it runs this.
 * Exit 1 when a check fails, 2 on a harness error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(APP, 'out');
const CHROMIUM = process.env.AXON_CHROMIUM ?? '/usr/bin/chromium';
const WATCHDOG_MS = Number(process.env.AXON_BROWSER_TIMEOUT_MS ?? 10 * 60_000);
const STEPS = 300;

if (!existsSync(CHROMIUM)) {
  console.log(
    `playground browser test: SKIPPED: no browser at ${CHROMIUM} (apt-get install -y chromium, or set AXON_CHROMIUM)`,
  );
  process.exit(0);
}

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
setTimeout(async () => {
  console.error(`playground browser test: watchdog: still running after ${WATCHDOG_MS / 1000} s`);
  await cleanup();
  process.exit(2);
}, WATCHDOG_MS).unref();

const failures = [];
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

async function buildApp() {
  const t0 = performance.now();
  const data = spawnSync(
    join(APP, 'node_modules', '.bin', 'tsx'),
    ['--conditions=source', 'scripts/export-data.ts'],
    {
      cwd: APP,
      stdio: 'inherit',
    },
  );
  if (data.status !== 0) throw new Error('scripts/export-data.ts failed');
  const { build } = await import('vite');
  // 'error': the "externalized for browser compatibility" notes about the libraries' lazy Node-only paths are expected.
  await build({ root: APP, logLevel: 'error' });
  console.log(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function serve() {
  const { preview } = await import('vite');
  const server = await preview({
    root: APP,
    logLevel: 'error',
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  cleanups.push(() => server.close());
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview gave no URL');
  return url;
}

async function openPage(url) {
  const { chromium } = await import('playwright-core');
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
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    else if (m.type() === 'warning' && !m.text().includes('GPU stall due to ReadPixels')) {
      console.log(`[page warning] ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) {
      problems.push(`request to another host: ${u}`);
    }
  });
  await page.goto(url);
  await page.waitForFunction(() => globalThis.playground?.state().ready === true, null, { timeout: 120_000 });
  return { page, problems };
}

const state = (page) => page.evaluate(() => globalThis.playground.state());
const settled = (page) => page.evaluate(() => globalThis.playground.settled());
const boundary = (page) => page.evaluate(() => globalThis.playground.boundary());
/** The sample grid canvas as drawn: its size and how many grey levels it shows; null when hidden or empty. */
const sampleGrid = (page) =>
  page.evaluate(() => {
    const c = document.getElementById('sample-grid');
    if (!c || c.hidden || c.width === 0) return null;
    // Read a copy: a second read-back of the page's own canvas draws a performance warning.
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const levels = new Set();
    for (let i = 0; i < d.length; i += 4) levels.add(d[i]);
    return { width: c.width, height: c.height, levels: levels.size };
  });
/** 16 images of 28 pixels, 8 to a row, scaled 3x with 2 pixels of padding: the page's sample grid. */
const SAMPLE_GRID = { width: 8 * 84 + 9 * 2, height: 2 * 84 + 3 * 2 };

function maxDiff(a, b) {
  if (!a || !b || a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Chooses a value in a select and waits for the reset (or backend move) it triggers. */
async function choose(page, id, value) {
  await page.selectOption(`#${id}`, value);
  await settled(page);
}

/** Clicks Train, waits for `steps` steps, clicks Pause; returns the page's state. Training that stops first (an error) throws its message. */
async function trainFor(page, steps, timeoutMs = 240_000) {
  await page.click('#train');
  await page.waitForFunction(
    (n) => {
      const s = globalThis.playground.state();
      return s.steps >= n || !s.running;
    },
    steps,
    { timeout: timeoutMs, polling: 100 },
  );
  const stopped = await state(page);
  if (stopped.steps < steps) {
    throw new Error(`training stopped at step ${stopped.steps} of ${steps}: ${stopped.message}`);
  }
  await page.click('#pause');
  // The last frame has finished (pause lands between frames); redraw so the picture is current.
  await page.evaluate(() => globalThis.playground.refreshView());
  return state(page);
}

function fmtRun(s) {
  const rate = s.stepsPerSecond === null ? '?' : s.stepsPerSecond.toFixed(1);
  const acc = s.accuracy === null ? '–' : `${(100 * s.accuracy).toFixed(1)}%`;
  return `${s.steps} steps, loss ${s.firstLoss?.toFixed(4)} → ${s.loss?.toFixed(4)}, accuracy ${acc}, ${rate} steps/s`;
}

async function main() {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  await buildApp();
  const url = await serve();
  console.log(`serving dist/ at ${url}`);
  const { page, problems } = await openPage(url);
  const shot = async (name) => {
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    console.log(`     screenshot out/${name}.png`);
  };

  // 1. Spirals MLP on the gpu backend.
  const s0 = await state(page);
  check(
    s0.backend === 'gpu' && s0.backendMode === 'webgl2',
    `gpu backend on WebGL2 (got ${s0.backend}, ${s0.backendMode})`,
  );
  check(s0.config?.dataset === 'spirals' && s0.config?.model === 'mlp', 'the page opens on the spirals MLP');
  const gpu = await trainFor(page, STEPS);
  console.log(`     gpu: ${fmtRun(gpu)}`);
  check(gpu.loss < 0.5 * gpu.firstLoss, `gpu: the loss falls to under half in ${STEPS} steps`);
  const p1 = await boundary(page);
  const classes = p1 ? new Set(p1.filter((_, i) => i % 2 === 0).map((p) => p > 0.5)).size : 0;
  check(p1 !== null && classes === 2, 'a decision boundary is drawn (both classes appear on the grid)');
  await shot('spirals-gpu');

  // 2. Download, reset, upload: the same predictions.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = join(OUT, download.suggestedFilename());
  await download.saveAs(file);
  check(file.endsWith('.axon'), `downloaded ${download.suggestedFilename()}`);
  await page.click('#reset');
  await settled(page);
  const afterReset = await state(page);
  check(afterReset.steps === 0 && (await boundary(page)) === null, 'Reset gives a fresh, untrained model');
  await page.setInputFiles('#upload', file);
  await settled(page);
  const p2 = await boundary(page);
  const uploaded = await state(page);
  check(uploaded.steps === gpu.steps, `the uploaded model keeps its step count (${uploaded.steps})`);
  check(maxDiff(p1, p2) === 0, `uploaded model: identical predictions (max diff ${maxDiff(p1, p2)})`);
  await shot('spirals-uploaded');

  // 3. The same model moved to the cpu backend, then a fresh cpu run.
  await choose(page, 'backend', 'cpu');
  const p3 = await boundary(page);
  check((await state(page)).backend === 'cpu', 'switched to the cpu backend');
  check(
    maxDiff(p1, p3) < 1e-3,
    `the model moved to cpu predicts the same within 1e-3 (max diff ${maxDiff(p1, p3).toExponential(2)})`,
  );
  await page.click('#reset');
  await settled(page);
  const cpu = await trainFor(page, STEPS);
  console.log(`     cpu: ${fmtRun(cpu)}`);
  check(cpu.loss < 0.5 * cpu.firstLoss, `cpu: the loss falls to under half in ${STEPS} steps`);
  await shot('spirals-cpu');

  // 4. The other 2-D sets and the image models, briefly (cpu: faster on SwiftShader's CPU emulation).
  await choose(page, 'dataset', 'xor');
  await choose(page, 'backend', 'cpu');
  const xor = await trainFor(page, 200);
  console.log(`     xor: ${fmtRun(xor)}`);
  check(xor.accuracy > 0.9, 'xor: accuracy above 90% after 200 steps');
  await shot('xor-cpu');
  await choose(page, 'dataset', 'mnist');
  const mnist = await trainFor(page, 60);
  console.log(`     mnist mlp: ${fmtRun(mnist)}`);
  check(mnist.accuracy > 0.6, 'mnist mlp: test accuracy above 60% after 60 steps');
  await shot('mnist-mlp-cpu');
  await choose(page, 'model', 'vae');
  const vae = await trainFor(page, 60);
  console.log(`     mnist vae: ${fmtRun(vae)}`);
  check(vae.loss < vae.firstLoss, 'mnist vae: the loss falls');
  await shot('mnist-vae-cpu');
  await choose(page, 'dataset', 'fashion');
  await choose(page, 'model', 'autoencoder');
  const ae = await trainFor(page, 40);
  console.log(`     fashion autoencoder: ${fmtRun(ae)}`);
  check(ae.loss < ae.firstLoss, 'fashion autoencoder: the loss falls');
  await shot('fashion-autoencoder-cpu');

  // 5. The GAN and the RBM on MNIST, a few steps each: finite losses, and a sample grid drawn live.
  await choose(page, 'dataset', 'mnist');
  await choose(page, 'model', 'gan');
  const gan = await trainFor(page, 20);
  console.log(`     mnist gan: ${fmtRun(gan)} (loss: the discriminator's)`);
  check(Number.isFinite(gan.loss) && gan.loss > 0, `mnist gan: a finite discriminator loss (${gan.loss})`);
  const ganGrid = await sampleGrid(page);
  check(
    ganGrid?.width === SAMPLE_GRID.width && ganGrid?.height === SAMPLE_GRID.height && ganGrid.levels > 16,
    `mnist gan: a 16-image sample grid is drawn (${JSON.stringify(ganGrid)})`,
  );
  await shot('mnist-gan-cpu');
  await choose(page, 'model', 'rbm');
  const rbmRun = await trainFor(page, 60);
  console.log(`     mnist rbm: ${fmtRun(rbmRun)} (loss: the reconstruction error)`);
  check(rbmRun.loss < rbmRun.firstLoss, 'mnist rbm: the reconstruction error falls');
  const rbmGrid = await sampleGrid(page);
  check(
    rbmGrid?.width === SAMPLE_GRID.width && rbmGrid?.height === SAMPLE_GRID.height && rbmGrid.levels > 16,
    `mnist rbm: a 16-image Gibbs sample grid is drawn (${JSON.stringify(rbmGrid)})`,
  );
  await shot('mnist-rbm-cpu');

  const message = (await state(page)).message;
  check(
    !/fail|could not|not finite/i.test(message),
    `no error message on the page (${JSON.stringify(message)})`,
  );
  for (const p of problems) check(false, p);
  check(problems.length === 0, 'no console errors, page errors or requests to other hosts');

  const ratio =
    gpu.stepsPerSecond && cpu.stepsPerSecond ? (gpu.stepsPerSecond / cpu.stepsPerSecond).toFixed(2) : '?';
  console.log(
    `steps/s on the spirals MLP: gpu ${gpu.stepsPerSecond?.toFixed(1)}, cpu ${cpu.stepsPerSecond?.toFixed(1)} (gpu/cpu ${ratio}; SwiftShader emulates the GPU on the CPU)`,
  );
  console.log(
    failures.length === 0
      ? 'playground browser test: passed'
      : `playground browser test: ${failures.length} failed`,
  );
  return failures.length === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(`playground browser test: harness error: ${e?.stack ?? e}`);
    await cleanup();
    process.exit(2);
  });
