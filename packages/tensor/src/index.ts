import './tensor_methods';

export type { Backend, DataId, TensorInfo } from './backend';
export { CpuBackend } from './backends/cpu/backend';
export { type DType, type TypedArray, allocate, isFloat, promoteTypes } from './dtype';
export { DTypeError, ShapeError, ValueError, fmtShape } from './errors';
export type { KernelRecorder, MemoryInfo } from './engine';
export { ReshapeView } from './engine';
export { ENGINE } from './global_engine';
export { type KernelConfig, type KernelFunc, getKernel, listKernels, registerKernel } from './kernel_registry';
export * as kernels from './kernels';
export * from './ops';
export { randomNormal, randomUint32, randomUnit } from './random/counter_rng';
export { Generator, defaultGenerator, manualSeed } from './random/generator';
export { type Shape, broadcastShapes, normalizeAxes, normalizeAxis, sizeOf, stridesOf } from './shape';
export * from './tensor';
export { backendInfo, dispose, getBackend, keep, memory, setBackend, tidy } from './memory';
