/**
 * Normalization in evaluation mode: BatchNorm1d/2d use their running statistics
 * (BatchNormalization), LayerNorm is LayerNormalization (opset 17). A batch norm without running
 * statistics normalises with each batch's own, which has no inference form: it is refused.
 */
import type { BatchNormBase, LayerNorm } from '@axon/layers';
import type { LayerExporter } from '../registry';

const batchNorm: LayerExporter = (m: BatchNormBase, [x], ctx) => {
  if (!m.runningMean || !m.runningVar) {
    throw ctx.fail('trackRunningStats is false, so it normalises with batch statistics even in eval mode');
  }
  const g = ctx.graph;
  const c = m.numFeatures;
  const dtype = x.sample.dtype;
  const scale = m.weight ? g.param(m.weight) : g.constant(new Array(c).fill(1), [c], dtype, 'ones');
  const bias = m.bias ? g.param(m.bias) : g.constant(new Array(c).fill(0), [c], dtype, 'zeros');
  const inputs = [x.name, scale, bias, g.param(m.runningMean), g.param(m.runningVar)];
  return {
    name: ctx.node('BatchNormalization', inputs, { epsilon: { f: m.eps } }),
    sample: m.forward(x.sample),
  };
};

export const normalizationExporters: Record<string, LayerExporter> = {
  BatchNorm1d: batchNorm,
  BatchNorm2d: batchNorm,
  LayerNorm: (m: LayerNorm, [x], ctx) => {
    const g = ctx.graph;
    const shape = m.normalizedShape;
    const n = shape.reduce((a, d) => a * d, 1);
    const scale = m.weight
      ? g.param(m.weight)
      : g.constant(new Array(n).fill(1), shape, x.sample.dtype, 'ones');
    const inputs = [x.name, scale, ...(m.bias ? [g.param(m.bias)] : [])];
    return {
      name: ctx.node('LayerNormalization', inputs, { axis: { i: -shape.length }, epsilon: { f: m.eps } }),
      sample: m.forward(x.sample),
    };
  },
};
