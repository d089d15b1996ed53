import * as layersExports from '@axon/layers';
import { guardExports } from '../api';
import { bool, type GroupMappings, num, type Outputs, optionalTensorArg, tensorArg } from '../mapping';

const layers = guardExports<typeof layersExports>('@axon/layers', layersExports);

/**
 * The SDPA core maps to `scaledDotProductAttentionWithWeights`; multi-head self-attention to the
 * functional `multiheadAttention` with the fixture's separate Wq/Wk/Wv/Wo (torch.nn.Linear layout),
 * per-head weights ([B, H, T, T]) as aux `attn`.
 */
export const attention: GroupMappings = {
  scaled_dot_product_attention: {
    forward: (c) => {
      const { out, attn } = layers.scaledDotProductAttentionWithWeights(
        tensorArg(c, 'q'),
        tensorArg(c, 'k'),
        tensorArg(c, 'v'),
        { causal: bool(c, 'causal', false), scale: num(c, 'scale') },
      );
      return { out, attn };
    },
  },
  multi_head_self_attention: {
    forward: (c) => {
      const x = tensorArg(c, 'X');
      const p = (n: string) => optionalTensorArg(c, n) ?? null;
      const { out, attn } = layers.multiheadAttention(
        x,
        x,
        x,
        num(c, 'num_heads'),
        {
          qWeight: tensorArg(c, 'Wq'),
          kWeight: tensorArg(c, 'Wk'),
          vWeight: tensorArg(c, 'Wv'),
          outWeight: tensorArg(c, 'Wo'),
          qBias: p('bq'),
          kBias: p('bk'),
          vBias: p('bv'),
          outBias: p('bo'),
        },
        { causal: bool(c, 'causal', false), needWeights: true, averageAttnWeights: false },
      );
      const outputs: Outputs = { out };
      if (attn) outputs.attn = attn;
      return outputs;
    },
  },
};
