import type { Pool2dOptions } from '@axon/tensor';
import { ax } from '../api';
import {
  bool,
  type CaseContext,
  compact,
  type GroupMappings,
  type OpMapping,
  type Outputs,
  pair,
  tensorArg,
  Unsupported,
} from '../mapping';

/** kernel_size / stride / padding, refusing what the agreed pooling API does not have. */
function poolOptions(c: CaseContext): Pool2dOptions {
  if (bool(c, 'ceil_mode', false)) throw new Unsupported('ceil_mode is not in the pooling API');
  const dilation = pair(c, 'dilation', [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1)
    throw new Unsupported('pool dilation is not in the pooling API');
  const kernelSize = pair(c, 'kernel_size');
  // torch's stride defaults to the kernel size (a null or absent stride).
  return { kernelSize, stride: pair(c, 'stride', kernelSize), padding: pair(c, 'padding', [0, 0]) };
}

/** F.max_pool2d; when the golden has `indices` (flat h*W+w in the input plane) they are compared too. */
export const maxPool2d: OpMapping = {
  forward: (c): Outputs => {
    const x = tensorArg(c, 'x');
    if (c.case.aux_outputs?.indices) {
      const { values, indices } = ax.maxPool2dWithIndices(x, poolOptions(c));
      return { out: values, indices };
    }
    return { out: ax.maxPool2d(x, poolOptions(c)) };
  },
};

/** F.interpolate with a scale factor or an output size. */
function upsample(mode: 'nearest' | 'bilinear'): OpMapping {
  return {
    forward: (c) => {
      const alignCorners = mode === 'bilinear' ? bool(c, 'align_corners', false) : undefined;
      const size = c.hyper.size ?? null;
      const resize = size === null ? { scaleFactor: pair(c, 'scale_factor') } : { size: pair(c, 'size') };
      return { out: ax.upsample(tensorArg(c, 'x'), compact({ ...resize, mode, alignCorners })) };
    },
  };
}

export const poolUpsample: GroupMappings = {
  max_pool2d: maxPool2d,
  avg_pool2d: {
    forward: (c) => ({
      out: ax.avgPool2d(tensorArg(c, 'x'), {
        ...poolOptions(c),
        countIncludePad: bool(c, 'count_include_pad', true),
      }),
    }),
  },
  // Only the global (1x1) case of adaptive pooling is in the API.
  adaptive_avg_pool2d: {
    forward: (c) => {
      const [h, w] = pair(c, 'output_size');
      if (h !== 1 || w !== 1)
        throw new Unsupported(`adaptive_avg_pool2d to ${h}x${w}: only 1x1 (globalAvgPool2d)`);
      return { out: ax.globalAvgPool2d(tensorArg(c, 'x')) };
    },
  },
  upsample_nearest: upsample('nearest'),
  upsample_bilinear: upsample('bilinear'),
};
