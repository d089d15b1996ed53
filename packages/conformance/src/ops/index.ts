import type { GroupMappings } from '../mapping';
import { activations } from './activations';
import { conv } from './conv';
import { edgeCases } from './edge_cases';
import { elementwise } from './elementwise';
import { linalgShape } from './linalg_shape';
import { losses } from './losses';
import { poolUpsample } from './pool_upsample';
import { reductions } from './reductions';

/**
 * Fixture group (the file's `group`) → its op mappings. Groups not listed (normalization,
 * linear_embedding, rnn, attention, rntn, optimizers, grad_clip) are skipped; adding one is a new
 * file in this folder and a line here.
 */
export const MAPPINGS: Record<string, GroupMappings> = {
  elementwise,
  reductions,
  linalg_shape: linalgShape,
  activations,
  edge_cases: edgeCases,
  losses,
  conv,
  pool_upsample: poolUpsample,
};
