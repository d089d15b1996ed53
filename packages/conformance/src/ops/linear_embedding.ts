import * as layersExports from '@axon/layers';
import { guardExports } from '../api';
import { type GroupMappings, optionalNum, optionalTensorArg, tensorArg } from '../mapping';

const layers = guardExports<typeof layersExports>('@axon/layers', layersExports);

export const linearEmbedding: GroupMappings = {
  // F.linear(x, weight, bias): weight [out, in], over the last axis of x.
  linear: {
    forward: (c) => ({
      out: layers.linear(tensorArg(c, 'x'), tensorArg(c, 'weight'), optionalTensorArg(c, 'bias') ?? null),
    }),
  },
  // F.embedding(indices, weight, padding_idx): the padding row gets no gradient.
  embedding: {
    forward: (c) => ({
      out: layers.embedding(
        tensorArg(c, 'indices'),
        tensorArg(c, 'weight'),
        optionalNum(c, 'padding_idx') ?? null,
      ),
    }),
  },
};
