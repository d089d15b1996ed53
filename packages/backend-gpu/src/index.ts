import { ENGINE } from '@axon/tensor';
import { GpuBackend } from './backend';

// Importing this package makes `setBackend('gpu')` available; the CPU stays the default.
ENGINE.registerBackend('gpu', () => new GpuBackend(), 0);

export { type DeviceArray, GpuBackend, type Program } from './backend';
export { createContext, type GpuInfo, type GpuMode } from './context';
export { registerGpuKernels } from './register';
export { TOLERANCE_SCALE } from './tolerance';
