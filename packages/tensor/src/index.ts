import './tensor_methods';

export type { Backend, DataId, TensorInfo } from './backend';
export { CpuBackend } from './backends/cpu/backend';
export { getNumThreads, setNumThreads } from './backends/cpu/kernels/gemm_threads';
export {
  type CpuKernelMode,
  cpuKernelsReady,
  getCpuKernels,
  setCpuKernels,
} from './backends/cpu/kernels/gemm_wasm';
export { allocate, type DType, isFloat, promoteTypes, type TypedArray } from './dtype';
export type { KernelRecorder, MemoryInfo } from './engine';
export { ReshapeView, SplitComposite } from './engine';
export { DTypeError, fmtShape, ShapeError, ValueError } from './errors';
export { ENGINE } from './global_engine';
export {
  type ConvGeometry,
  convGeometry,
  convOutSize,
  type MatMulGeometry,
  matMulGeometry,
  type PoolGeometry,
  poolGeometry,
} from './kernel_geometry';
export {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  listKernels,
  registerKernel,
} from './kernel_registry';
export * as kernels from './kernels';
export {
  assign,
  backendInfo,
  dispose,
  emptyCache,
  getBackend,
  keep,
  memory,
  setBackend,
  tidy,
} from './memory';
export * from './ops';
export { randomNormal, randomUint32, randomUnit } from './random/counter_rng';
export { defaultGenerator, Generator, manualSeed } from './random/generator';
export {
  broadcastShapes,
  broadcastStrides,
  normalizeAxes,
  normalizeAxis,
  type Shape,
  sizeOf,
  stridesOf,
} from './shape';
export * from './tensor';
export * from './validate';
