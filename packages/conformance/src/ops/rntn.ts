import type { GroupMappings } from '../mapping';

// Filled in with the layers/optim work.
export const rntn: GroupMappings = {};
