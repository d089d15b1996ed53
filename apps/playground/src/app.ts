/**
 * The playground's controller: owns the training session and the loop, answers the buttons and
 * the settings, and redraws the views. Training runs on the main thread in slices — as many steps
 * as fit in FRAME_BUDGET_MS per animation frame, then one loss read-back and the curve — so the
 * page stays responsive and Pause takes effect between two steps.
 */
import { fromBytes } from '@axon/layers';
import { backendInfo, getBackend, setBackend, tensor } from '@axon/tensor';
import { type Dataset, loadDataset } from './data/dataset';
import { buildModel } from './model/build';
import { type BackendId, defaultConfig, type PlaygroundConfig } from './model/config';
import { History } from './train/history';
import { Session } from './train/session';
import { StepRate } from './train/step_rate';
import { drawBoundary, gridPoints } from './view/boundary';
import { drawChart } from './view/chart';
import { $, type SettingsForm } from './view/form';
import { drawImageGrid } from './view/image_grid';
import { downloadBytes, readModelFile } from './view/model_file';

/** Milliseconds of training per animation frame (the rest of the ~16 ms goes to drawing). */
const FRAME_BUDGET_MS = 40;
/** How often the boundary, accuracy, pictures and curve are refreshed while training. */
const VIEW_EVERY_MS = 400;
/** The boundary grid's resolution (cells per side). */
const GRID_RES = 48;
/** What the sample grid shows, for the models that draw one. */
const SAMPLE_CAPTIONS: Record<string, string> = {
  vae: 'Samples: decode(z), z ~ N(0, I) (the same 16 codes each time)',
  gan: 'Samples: G(z), z ~ N(0, I) (the same 16 noise vectors each time)',
  rbm: 'Samples: 25 Gibbs steps from the first 16 test images (visible means, the same draws each time)',
};

export interface PlaygroundState {
  ready: boolean;
  running: boolean;
  steps: number;
  loss: number | null;
  firstLoss: number | null;
  accuracy: number | null;
  stepsPerSecond: number | null;
  backend: string;
  backendMode: string | null;
  config: PlaygroundConfig | null;
  message: string;
}

export class Playground {
  private session: Session | null = null;
  private data: Dataset | null = null;
  private running = false;
  private stopAt: number | null = null;
  private readonly history = new History();
  private readonly rate = new StepRate();
  private accuracy: number | null = null;
  private lastViewAt = 0;
  private grid: { probs: Float32Array; classes: number; res: number } | null = null;
  private ready = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly form: SettingsForm,
    private readonly baseUrl: string,
  ) {}

  async start(initial: PlaygroundConfig): Promise<void> {
    this.form.write(initial);
    this.bind();
    this.useBackend(initial.backend);
    await this.reset();
    this.ready = true;
  }

  // ---- buttons and settings ----

  private bind(): void {
    const f = this.form;
    $('train').addEventListener('click', () => this.train());
    $('pause').addEventListener('click', () => this.pause());
    $('reset').addEventListener('click', () => this.queue(() => this.reset()));
    $('download').addEventListener('click', () => this.download());
    const upload = $<HTMLInputElement>('upload');
    upload.addEventListener('change', () => {
      const file = upload.files?.[0];
      if (file) this.queue(() => this.upload(file));
      upload.value = '';
    });
    // A new data set or model starts from the settings that suit it (keeping backend and seed).
    const withDefaults = () => {
      const d = defaultConfig(
        f.dataset.value as PlaygroundConfig['dataset'],
        f.model.value as PlaygroundConfig['model'],
      );
      this.form.write({ ...d, backend: f.backend.value as BackendId, seed: Number(f.seed.value) || 0 });
      this.queue(() => this.reset());
    };
    f.dataset.addEventListener('change', withDefaults);
    f.model.addEventListener('change', withDefaults);
    for (const el of [f.hidden, f.activation, f.latent, f.optimizer, f.lr, f.batch, f.seed]) {
      el.addEventListener('change', () => this.queue(() => this.reset()));
    }
    f.backend.addEventListener('change', () =>
      this.queue(async () => this.switchBackend(f.backend.value as BackendId)),
    );
  }

  /** Runs async actions one after another (a reset while an upload loads the data waits for it). */
  private queue(fn: () => Promise<void>): void {
    this.busy = this.busy
      .then(fn)
      .catch((e: unknown) => this.say(e instanceof Error ? e.message : String(e)));
  }

  /** A fresh model from the form's settings (the data set is regenerated or reloaded). */
  async reset(): Promise<void> {
    this.pause();
    let config: PlaygroundConfig;
    try {
      config = this.form.read();
    } catch (e) {
      this.say((e as Error).message);
      return;
    }
    this.form.showRelevant(config);
    this.say('');
    const data = await loadDataset(config.dataset, config.seed, this.baseUrl);
    this.replaceSession(new Session(config, data, buildModel(config, data)), data);
  }

  private replaceSession(session: Session, data: Dataset): void {
    this.session?.dispose();
    this.session = session;
    this.data = data;
    this.history.clear();
    this.rate.reset();
    this.accuracy = null;
    this.grid = null;
    this.refreshView();
    this.showStats(null);
  }

  /** Starts (or resumes) training; with `untilSteps`, pauses by itself at that step count. */
  train(untilSteps: number | null = null): void {
    if (!this.session || this.running) return;
    this.stopAt = untilSteps;
    this.running = true;
    $<HTMLButtonElement>('train').disabled = true;
    $<HTMLButtonElement>('pause').disabled = false;
    requestAnimationFrame(() => this.frame());
  }

  pause(): void {
    this.running = false;
    $<HTMLButtonElement>('train').disabled = false;
    $<HTMLButtonElement>('pause').disabled = true;
  }

  private frame(): void {
    const s = this.session;
    if (!this.running || !s) return;
    try {
      // A fresh model's first frame runs one step, so the curve starts at the initial loss.
      const left =
        s.steps === 0 ? 1 : this.stopAt === null ? Number.POSITIVE_INFINITY : this.stopAt - s.steps;
      const t0 = performance.now();
      const { steps, loss } = s.run(FRAME_BUDGET_MS, Math.max(1, left));
      const t1 = performance.now();
      this.rate.add(steps, t0, t1);
      if (t1 - this.lastViewAt > VIEW_EVERY_MS) this.refreshView();
      // A 2-D set's accuracy is cheap (a few hundred points): measured every frame, so the curve
      // follows the loss; the image sets' (500 test images) only with the views.
      else if (this.data?.kind === 'points') this.accuracy = s.accuracy();
      this.history.add({ step: s.steps, loss, accuracy: this.accuracy ?? undefined });
      this.showStats(loss);
      if (!Number.isFinite(loss)) {
        this.pause();
        this.say('The loss is not finite: lower the learning rate and press Reset.');
      }
      if (this.stopAt !== null && s.steps >= this.stopAt) {
        this.pause();
        this.refreshView();
      }
    } catch (e) {
      this.pause();
      this.say(`Training failed: ${(e as Error).message}`);
    }
    if (this.running) requestAnimationFrame(() => this.frame());
  }

  // ---- views ----

  /** Redraws the boundary or the image grids, the accuracy and the curve. */
  refreshView(): void {
    this.lastViewAt = performance.now();
    const s = this.session;
    const data = this.data;
    if (!s || !data) return;
    this.accuracy = s.accuracy();
    const boundary = $<HTMLCanvasElement>('boundary');
    boundary.hidden = data.kind !== 'points';
    $('images').hidden = data.kind !== 'images';
    if (data.kind === 'points') {
      const probs =
        s.steps > 0 ? s.predict(gridPoints(GRID_RES, data.extent), [GRID_RES * GRID_RES, 2]) : null;
      this.grid = probs ? { probs, classes: data.classes, res: GRID_RES } : null;
      drawBoundary(boundary, data, this.grid);
    } else {
      this.drawImages(s, data);
    }
    drawChart($('chart'), this.history, 640);
  }

  private drawImages(s: Session, data: Extract<Dataset, { kind: 'images' }>): void {
    const grid = $<HTMLCanvasElement>('image-grid');
    const samples = $<HTMLCanvasElement>('sample-grid');
    const recon = s.reconstructions(8);
    if (recon) {
      $('images-caption').textContent = 'Test images (top) and their reconstructions (bottom)';
      drawImageGrid(grid, recon, 8);
      recon.dispose();
    } else {
      // A classifier: the first 16 test images with the model's guesses; a GAN: the real images.
      const n = 16;
      const size = data.rows * data.cols;
      const from = data.trainCount * size;
      const pixels = Float32Array.from(data.pixels.subarray(from, from + n * size), (v) => v / 255);
      if (s.task === 'classifier') {
        const probs = s.predict(pixels, [n, 1, data.rows, data.cols]);
        const guesses = Array.from({ length: n }, (_, i) => {
          const row = probs.subarray(i * data.classes, (i + 1) * data.classes);
          return data.info.classNames[row.indexOf(Math.max(...row))];
        });
        $('images-caption').textContent = `Test images; the model says: ${guesses.join(', ')}`;
      } else {
        $('images-caption').textContent = 'Real test images, which the generator learns to imitate';
      }
      const images = tensor(pixels, { shape: [n, 1, data.rows, data.cols] });
      drawImageGrid(grid, images, 8, 2);
      images.dispose();
    }
    const sample = s.samples(16);
    samples.hidden = !sample;
    $('samples-caption').textContent = sample ? SAMPLE_CAPTIONS[s.task] : '';
    if (sample) {
      drawImageGrid(samples, sample, 8);
      sample.dispose();
    }
  }

  private showStats(loss: number | null): void {
    const s = this.session;
    $('steps').textContent = String(s?.steps ?? 0);
    $('loss').textContent = loss === null ? '–' : loss.toPrecision(4);
    $('accuracy').textContent = this.accuracy === null ? '–' : `${(100 * this.accuracy).toFixed(1)}%`;
    const r = this.rate.perSecond;
    $('rate').textContent = r === null ? '–' : r.toFixed(r < 10 ? 1 : 0);
  }

  /** A line under the buttons: an error (red) or, with `info`, news such as a loaded file. */
  private say(text: string, info = false): void {
    const el = $('message');
    el.textContent = text;
    el.classList.toggle('info', info);
  }

  // ---- backends and files ----

  /** Makes `id` the active backend; falls back to cpu (and says so) when the gpu cannot start. */
  private useBackend(id: BackendId): void {
    try {
      setBackend(id);
    } catch (e) {
      setBackend('cpu');
      this.form.backend.value = 'cpu';
      this.say(`The gpu backend is not available here (${(e as Error).message}); using cpu.`);
    }
    const info = backendInfo();
    const mode = typeof info.mode === 'string' ? ` (${info.mode})` : '';
    $('backend-info').textContent = `backend: ${getBackend()}${mode}`;
  }

  /** Moves the model to another backend through its file bytes (the optimizer starts afresh). */
  private async switchBackend(id: BackendId): Promise<void> {
    const s = this.session;
    const data = this.data;
    const wasRunning = this.running;
    this.pause();
    if (!s || !data) {
      this.useBackend(id);
      return;
    }
    const bytes = s.toBytes();
    const steps = s.steps;
    s.dispose();
    this.session = null;
    this.useBackend(id);
    const moved = new Session({ ...s.config, backend: id }, data, fromBytes(bytes).model);
    moved.steps = steps;
    this.session = moved;
    this.rate.reset();
    this.refreshView();
    if (wasRunning) this.train(this.stopAt);
  }

  private download(): void {
    const s = this.session;
    if (!s) return;
    downloadBytes(s.toBytes(), `${s.config.dataset}-${s.config.model}-${s.steps}.axon`);
  }

  /** Restores a downloaded model: its settings (when the file has them) and weights. */
  async upload(file: File): Promise<void> {
    this.pause();
    const { model, config: saved, steps } = await readModelFile(file);
    const backend = this.form.backend.value as BackendId;
    const config = saved ? { ...saved, backend } : { ...this.form.read(), backend };
    this.form.write(config);
    const data = await loadDataset(config.dataset, config.seed, this.baseUrl);
    const session = new Session(config, data, model);
    session.steps = steps;
    this.replaceSession(session, data);
    this.say(`Loaded ${file.name}${saved ? '' : ' (no playground settings in it: using the form)'}.`, true);
  }

  // ---- for the browser test and the console ----

  state(): PlaygroundState {
    const info = this.ready ? backendInfo() : {};
    const points = this.history.points;
    return {
      ready: this.ready,
      running: this.running,
      steps: this.session?.steps ?? 0,
      loss: points.length ? points[points.length - 1].loss : null,
      firstLoss: points.length ? points[0].loss : null,
      accuracy: this.accuracy,
      stepsPerSecond: this.rate.perSecond,
      backend: getBackend(),
      backendMode: typeof info.mode === 'string' ? info.mode : null,
      config: this.session?.config ?? null,
      message: $('message').textContent ?? '',
    };
  }

  /** The boundary grid's class probabilities (what the canvas shows), or null before training. */
  boundary(): number[] | null {
    return this.grid ? Array.from(this.grid.probs) : null;
  }

  /** Waits until queued actions (reset, upload, backend switch) are done. */
  settled(): Promise<void> {
    return this.busy;
  }
}
