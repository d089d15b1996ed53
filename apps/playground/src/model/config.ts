/**
 * The playground's settings (data set, model, sizes, optimizer, backend...), their defaults, and
 * the checks on what a user types. Pure, so it is unit-tested; the page only reads and writes
 * form fields through it. A model file stores these settings, so an uploaded file restores them.
 */
import { MLP_ACTIVATIONS, type MlpActivation } from '@axon/models';
import { type DatasetId, isImageSetId } from '../data/dataset';

export type ModelId = 'mlp' | 'cnn' | 'autoencoder' | 'vae' | 'gan' | 'rbm';
export type OptimizerId = 'sgd' | 'adam';
export type BackendId = 'gpu' | 'cpu';

export const MODEL_LABELS: Record<ModelId, string> = {
  mlp: 'MLP',
  cnn: 'CNN (Keras MNIST)',
  autoencoder: 'Autoencoder (dense)',
  vae: 'VAE (dense, Bernoulli)',
  gan: 'GAN (DCGAN, small)',
  rbm: 'RBM (CD-1)',
};

export { MLP_ACTIVATIONS, type MlpActivation };

export interface PlaygroundConfig {
  dataset: DatasetId;
  model: ModelId;
  /** Hidden layer widths (MLP, and the encoder of the autoencoder / VAE); an RBM's hidden units are the first. */
  hidden: number[];
  activation: MlpActivation;
  /** Code size of the autoencoder / VAE, the GAN's noise size. */
  latent: number;
  optimizer: OptimizerId;
  lr: number;
  /** Examples per step for image sets; the 2-D sets train on the whole set (full batch). */
  batchSize: number;
  backend: BackendId;
  /** Seeds the data (2-D sets), the initial weights and the batch order. */
  seed: number;
}

/** The models that make sense for a data set: the 2-D sets are classified by an MLP. */
export function modelsFor(dataset: DatasetId): ModelId[] {
  return isImageSetId(dataset) ? ['mlp', 'cnn', 'autoencoder', 'vae', 'gan', 'rbm'] : ['mlp'];
}

/** Settings that train quickly and well for the data set and model. */
export function defaultConfig(dataset: DatasetId = 'spirals', model: ModelId = 'mlp'): PlaygroundConfig {
  const images = isImageSetId(dataset);
  const base: PlaygroundConfig = {
    dataset,
    model: modelsFor(dataset).includes(model) ? model : 'mlp',
    hidden: images ? [128] : [16, 16],
    activation: images ? 'relu' : 'tanh',
    latent: 16,
    optimizer: 'adam',
    lr: images ? 0.001 : 0.03,
    batchSize: 64,
    backend: 'gpu',
    seed: 0,
  };
  if (base.model === 'vae') return { ...base, hidden: [256], latent: 8 };
  // DCGAN's Adam step (its β₁ 0.5 is the session's for a GAN); CD-1 wants plain SGD steps.
  if (base.model === 'gan') return { ...base, latent: 32, lr: 0.0002 };
  if (base.model === 'rbm') return { ...base, hidden: [256], optimizer: 'sgd', lr: 0.05 };
  return base;
}

/** "16, 16" → [16, 16]; "" → []. Throws a message for the form when a width is not a positive integer. */
export function parseHidden(text: string): number[] {
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const sizes = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isInteger(sizes[i]) || sizes[i] < 1 || sizes[i] > 4096);
  if (bad !== undefined) throw new Error(`layer sizes: '${bad}' is not a width from 1 to 4096`);
  if (sizes.length > 8) throw new Error('layer sizes: at most 8 hidden layers');
  return sizes;
}

/**
 * Checks settings from the form or from an uploaded file's header: returns them, or throws a
 * message naming the first bad field.
 */
export function checkConfig(c: unknown): PlaygroundConfig {
  if (c === null || typeof c !== 'object') throw new Error('settings: expected an object');
  const o = c as Record<string, unknown>;
  const datasets: DatasetId[] = ['xor', 'spirals', 'blobs', 'mnist', 'fashion'];
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    if (!allowed.includes(o[key] as T)) {
      throw new Error(`settings: ${key} must be one of ${allowed.join(', ')}, got ${String(o[key])}`);
    }
    return o[key] as T;
  };
  const num = (key: string, min: number, max: number, integer: boolean): number => {
    const v = o[key];
    if (typeof v !== 'number' || !(v >= min && v <= max) || (integer && !Number.isInteger(v))) {
      throw new Error(
        `settings: ${key} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(v)}`,
      );
    }
    return v;
  };
  const dataset = oneOf('dataset', datasets);
  const model = oneOf('model', modelsFor(dataset));
  if (!Array.isArray(o.hidden)) throw new Error('settings: hidden must be an array of widths');
  const hidden = parseHidden(o.hidden.join(','));
  return {
    dataset,
    model,
    hidden,
    activation: oneOf('activation', MLP_ACTIVATIONS),
    latent: num('latent', 1, 512, true),
    optimizer: oneOf('optimizer', ['sgd', 'adam'] as const),
    lr: num('lr', 1e-6, 10, false),
    batchSize: num('batchSize', 1, 2000, true),
    backend: oneOf('backend', ['gpu', 'cpu'] as const),
    seed: num('seed', 0, 2 ** 31 - 1, true),
  };
}
