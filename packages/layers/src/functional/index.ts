/**
 * The functional cores of the layers, as plain functions over tensors (torch.nn.functional's
 * role): each Module in `layers/` is a thin owner of parameters around one of these. Exported from
 * `@axon/layers` both by name and grouped as `F` (`import { F } from '@axon/layers'`).
 */
export * from './attention';
export { type BatchNormOptions, batchNorm, layerNorm } from './normalization';
export * from './recurrent';
