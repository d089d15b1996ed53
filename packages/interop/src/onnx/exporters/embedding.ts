/** Embedding: a Gather of the table's rows (paddingIdx only matters for training). */
import type { Embedding } from '@axon/layers';
import type { LayerExporter } from '../registry';

export const embeddingExporters: Record<string, LayerExporter> = {
  Embedding: (m: Embedding, [indices], ctx) => ({
    name: ctx.node('Gather', [ctx.graph.param(m.weight), indices.name], { axis: { i: 0 } }),
    sample: m.forward(indices.sample),
  }),
};
