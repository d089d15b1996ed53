import type { GroupMappings } from '../mapping';
import { leakyRelu, relu } from './activations';
import { abs, clamp } from './elementwise';
import { maxPool2d } from './pool_upsample';
import { max } from './reductions';

/**
 * torch's choices at kinks and ties. The cases are ordinary op calls, so they reuse the other
 * groups' mappings: `max` with a `values` output is max_dim_ties (maxDim: the first index takes
 * the gradient), with an `out` output amax_ties (max: ties share it evenly).
 */
export const edgeCases: GroupMappings = {
  relu,
  leaky_relu: leakyRelu,
  abs,
  clamp,
  max_pool2d: maxPool2d,
  max,
};
