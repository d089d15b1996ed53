/**
 * The settings form: fills the selects, reads the fields into checked settings and writes settings
 * back (after an upload), and shows only the fields the chosen model uses.
 */
import { IMAGE_SETS } from '../data/image_sets';
import { POINT_SETS } from '../data/point_sets';
import {
  type BackendId,
  checkConfig,
  MLP_ACTIVATIONS,
  MODEL_LABELS,
  modelsFor,
  type PlaygroundConfig,
  parseHidden,
} from '../model/config';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

export class SettingsForm {
  readonly dataset = $<HTMLSelectElement>('dataset');
  readonly model = $<HTMLSelectElement>('model');
  readonly hidden = $<HTMLInputElement>('hidden');
  readonly activation = $<HTMLSelectElement>('activation');
  readonly latent = $<HTMLInputElement>('latent');
  readonly optimizer = $<HTMLSelectElement>('optimizer');
  readonly lr = $<HTMLInputElement>('lr');
  readonly batch = $<HTMLInputElement>('batch');
  readonly backend = $<HTMLSelectElement>('backend');
  readonly seed = $<HTMLInputElement>('seed');

  constructor() {
    for (const s of [...POINT_SETS, ...IMAGE_SETS]) this.dataset.add(new Option(s.label, s.id));
    for (const a of MLP_ACTIVATIONS) this.activation.add(new Option(a, a));
  }

  /** The settings as typed; throws a message for the page when a field is invalid. */
  read(): PlaygroundConfig {
    return checkConfig({
      dataset: this.dataset.value,
      model: this.model.value,
      hidden: parseHidden(this.hidden.value),
      activation: this.activation.value,
      latent: Number(this.latent.value),
      optimizer: this.optimizer.value,
      lr: Number(this.lr.value),
      batchSize: Number(this.batch.value),
      backend: this.backend.value as BackendId,
      seed: Number(this.seed.value),
    });
  }

  write(c: PlaygroundConfig): void {
    this.dataset.value = c.dataset;
    this.fillModels(c.dataset);
    this.model.value = c.model;
    this.hidden.value = c.hidden.join(', ');
    this.activation.value = c.activation;
    this.latent.value = String(c.latent);
    this.optimizer.value = c.optimizer;
    this.lr.value = String(c.lr);
    this.batch.value = String(c.batchSize);
    this.backend.value = c.backend;
    this.seed.value = String(c.seed);
    this.showRelevant(c);
  }

  /** The model choices for a data set (an MLP only for the 2-D sets). */
  fillModels(dataset: PlaygroundConfig['dataset']): void {
    const keep = this.model.value;
    this.model.replaceChildren(...modelsFor(dataset).map((m) => new Option(MODEL_LABELS[m], m)));
    if (modelsFor(dataset).some((m) => m === keep)) this.model.value = keep;
  }

  showRelevant(c: PlaygroundConfig): void {
    const images = c.dataset === 'mnist' || c.dataset === 'fashion';
    $('hidden-row').hidden = c.model === 'cnn' || c.model === 'gan';
    $('activation-row').hidden = c.model === 'cnn' || c.model === 'gan' || c.model === 'rbm';
    $('latent-row').hidden = c.model !== 'autoencoder' && c.model !== 'vae' && c.model !== 'gan';
    $('batch-row').hidden = !images;
  }
}

export { $ };
