// @axon/datasets core: datasets, the loader, MNIST / Fashion-MNIST, synthetic data, date pairs, transforms.

export { DataLoader, type DataLoaderOptions, isOwnedBatch, OWNED_BATCH } from './dataloader';
export { type Dataset, type Sample, TensorDataset } from './dataset';
export {
  type CalendarDate,
  DATE_BOS,
  DATE_DAYS,
  DATE_EOS,
  DATE_PAD,
  type DatePair,
  dateAt,
  datePairs,
  decodeDateTarget,
  encodeDateSource,
  encodeDateTarget,
  iso,
  SOURCE_CHARS,
  TARGET_CHARS,
} from './dates';
export { type IdxData, isGzip, parseIdx, readIdx } from './idx';
export {
  type DatasetSplit,
  FASHION_MNIST_CLASSES,
  fashionMnist,
  type ImageDatasetOptions,
  mnist,
} from './mnist';
export {
  type BlobsOptions,
  blobs,
  type SeedOptions,
  type SineWindowsOptions,
  type SpiralsOptions,
  sineWindows,
  spirals,
  xor,
} from './synthetic';
export { flattenImages, normalize, oneHot, standardize } from './transforms';
