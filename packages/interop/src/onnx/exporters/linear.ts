/** Linear maps: Linear (Gemm or MatMul + Add) and a tied autoencoder's TiedLinear (MatMul with the shared weight). */
import type { Linear } from '@axon/layers';
import type { Tensor } from '@axon/tensor';
import type { LayerExporter } from '../registry';
import { linearNode } from './util';

/** What the export needs of @axon/models' TiedLinear (read by shape, so that interop does not depend on models). */
interface TiedLinearLike extends Linear {
  source: { weight: Tensor };
  bias: Tensor;
}

export const linearExporters: Record<string, LayerExporter> = {
  Linear: (m: Linear, [x], ctx) => ({
    name: linearNode(ctx, x, m.weight, m.bias),
    sample: m.forward(x.sample),
  }),
  // y = x W + b with the encoder's W [out, in], used untransposed: the initializer is the encoder's own.
  TiedLinear: (m: TiedLinearLike, [x], ctx) => {
    const y = ctx.node('MatMul', [x.name, ctx.graph.param(m.source.weight)]);
    return { name: ctx.node('Add', [y, ctx.graph.param(m.bias)]), sample: m.forward(x.sample) };
  },
};
