import type { GroupMappings } from '../mapping';
import { activations } from './activations';
import { attention } from './attention';
import { conv } from './conv';
import { edgeCases } from './edge_cases';
import { elementwise } from './elementwise';
import { gradClip } from './grad_clip';
import { higherOrder } from './higher_order';
import { linalgShape } from './linalg_shape';
import { linearEmbedding } from './linear_embedding';
import { losses } from './losses';
import { normalization } from './normalization';
import { opsMore } from './ops_more';
import { optimizers } from './optimizers';
import { poolUpsample } from './pool_upsample';
import { reductions } from './reductions';
import { rnn } from './rnn';
import { rntn } from './rntn';
import { zoo } from './zoo';

/**
 * Fixture group (the file's `group`) → its op mappings; adding a group is a new file in this
 * folder and a line here. An op a group does not map is skipped.
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
  linear_embedding: linearEmbedding,
  rntn,
  normalization,
  attention,
  rnn,
  optimizers,
  grad_clip: gradClip,
  higher_order: higherOrder,
  ops_more: opsMore,
  zoo,
};
