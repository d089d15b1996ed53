/**
 * Pooling and resizing: MaxPool2d, AvgPool2d, MinPool2d (a max pool of −x, negated back) and
 * Upsample (Resize, with the output size computed from the sample as Axon does, and the input's
 * own batch and channel dims so that the batch may vary).
 */
import type { AvgPool2d, MaxPool2d, MinPool2d, Upsample } from '@axon/layers';
import type { AttributeValue } from '../proto';
import type { LayerExporter } from '../registry';
import { pair, withImageBatch } from './util';

function poolAttributes(m: MaxPool2d | MinPool2d | AvgPool2d): Record<string, AttributeValue> {
  const [ph, pw] = pair(m.padding);
  return {
    kernel_shape: { ints: pair(m.kernelSize) },
    strides: { ints: pair(m.stride) },
    pads: { ints: [ph, pw, ph, pw] },
  };
}

export const poolingExporters: Record<string, LayerExporter> = {
  MaxPool2d: (m: MaxPool2d, [x], ctx) => ({
    name: withImageBatch(ctx, x, (x4) => ctx.node('MaxPool', [x4], poolAttributes(m))),
    sample: m.forward(x.sample),
  }),
  MinPool2d: (m: MinPool2d, [x], ctx) => ({
    name: withImageBatch(ctx, x, (x4) =>
      ctx.node('Neg', [ctx.node('MaxPool', [ctx.node('Neg', [x4])], poolAttributes(m))]),
    ),
    sample: m.forward(x.sample),
  }),
  AvgPool2d: (m: AvgPool2d, [x], ctx) => ({
    name: withImageBatch(ctx, x, (x4) =>
      ctx.node('AveragePool', [x4], {
        ...poolAttributes(m),
        count_include_pad: { i: m.countIncludePad ? 1 : 0 },
      }),
    ),
    sample: m.forward(x.sample),
  }),
  // Axon reads source pixels at dst·in/out (torch with a size): 'asymmetric' + floor for nearest,
  // 'pytorch_half_pixel' or 'align_corners' for bilinear, all driven by the output size.
  Upsample: (m: Upsample, [x], ctx) => {
    const sample = m.forward(x.sample);
    const g = ctx.graph;
    const batchAndChannels = ctx.node('Slice', [ctx.node('Shape', [x.name]), g.ints([0]), g.ints([2])]);
    const sizes = ctx.node('Concat', [batchAndChannels, g.ints(sample.shape.slice(2), 'size')], {
      axis: { i: 0 },
    });
    const attributes: Record<string, AttributeValue> =
      m.mode === 'nearest'
        ? {
            mode: { s: 'nearest' },
            coordinate_transformation_mode: { s: 'asymmetric' },
            nearest_mode: { s: 'floor' },
          }
        : {
            mode: { s: 'linear' },
            coordinate_transformation_mode: { s: m.alignCorners ? 'align_corners' : 'pytorch_half_pixel' },
          };
    return { name: ctx.node('Resize', [x.name, '', '', sizes], attributes), sample };
  },
};
