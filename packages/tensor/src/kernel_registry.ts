import type { Backend, TensorInfo } from './backend';

// biome-ignore lint/suspicious/noExplicitAny: each kernel declares its own attrs type (see kernels.ts)
export type KernelFunc<A = any, B extends Backend = Backend> = (args: {
  inputs: readonly TensorInfo[];
  attrs: A;
  backend: B;
}) => TensorInfo | TensorInfo[];

export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
}

// Kept on globalThis so that backends registered through one copy of this package (an ESM and a
// CJS build loaded side by side) are seen by the other.
const REGISTRY_KEY = Symbol.for('axon.kernelRegistry');
const g = globalThis as { [REGISTRY_KEY]?: Map<string, KernelFunc> };
g[REGISTRY_KEY] ??= new Map<string, KernelFunc>();
const registry: Map<string, KernelFunc> = g[REGISTRY_KEY];
const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/** Registers the implementation of one kernel for one backend. Re-registering replaces it. */
export function registerKernel(config: KernelConfig): void {
  registry.set(key(config.kernelName, config.backendName), config.kernelFunc);
}

export function getKernel(kernelName: string, backendName: string): KernelFunc | undefined {
  return registry.get(key(kernelName, backendName));
}

export function listKernels(backendName: string): string[] {
  const prefix = `${backendName}/`;
  return [...registry.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}
