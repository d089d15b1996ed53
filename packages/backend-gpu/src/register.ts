import { type KernelFunc, registerKernel } from '@axon/tensor';
import { binaryConfig } from './kernels/binary';
import { castConfig } from './kernels/cast';
import { concatConfig } from './kernels/concat';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig, conv2DConfig } from './kernels/conv2d';
import { gatherConfig } from './kernels/gather';
import { matMulConfig } from './kernels/matmul';
import { padConfig } from './kernels/pad';
import { pool2DBackwardConfig, pool2DConfig } from './kernels/pool2d';
import { randomFillConfig } from './kernels/random_fill';
import { reduceConfig } from './kernels/reduce';
import { resizeBackwardConfig, resizeConfig } from './kernels/resize';
import { scatterAddConfig } from './kernels/scatter_add';
import { sliceConfig } from './kernels/slice';
import { softmaxCrossEntropyConfig, softmaxCrossEntropyGradConfig } from './kernels/softmax_cross_entropy';
import { sortConfig } from './kernels/sort';
import { transposeConfig } from './kernels/transpose';
import { unaryConfig } from './kernels/unary';
import { whereConfig } from './kernels/where';

// The whole kernel set of @axon/tensor (src/kernels.ts), under the same names, and the fused kernels
// this backend has.
// biome-ignore lint/suspicious/noExplicitAny: kernels are typed by their own attrs
const GPU_KERNELS: { kernelName: string; kernelFunc: KernelFunc<any, any> }[] = [
  unaryConfig,
  binaryConfig,
  whereConfig,
  castConfig,
  reduceConfig,
  matMulConfig,
  transposeConfig,
  sliceConfig,
  concatConfig,
  padConfig,
  gatherConfig,
  scatterAddConfig,
  conv2DConfig,
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  pool2DConfig,
  pool2DBackwardConfig,
  resizeConfig,
  resizeBackwardConfig,
  randomFillConfig,
  sortConfig,
  // fused (optional) kernels
  softmaxCrossEntropyConfig,
  softmaxCrossEntropyGradConfig,
];

let registered = false;

/** Registers every kernel of the kernel set under the backend name 'gpu'. */
export function registerGpuKernels(): void {
  if (registered) return;
  registered = true;
  for (const k of GPU_KERNELS) registerKernel({ ...k, backendName: 'gpu' });
}
