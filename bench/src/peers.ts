/**
 * The libraries Axon is compared with: TensorFlow.js 4.22 with its pure-JS CPU backend and its
 * WebAssembly backend (XNNPACK; SIMD when the runtime has it). Both live in one tfjs-core engine,
 * so a runner switches the engine's backend before it runs. `axon` is Axon's cpu backend as it
 * runs by default (float32 matmul on its WebAssembly SIMD gemm); `axon-js` is the same backend
 * forced onto its pure-JS kernels (`setCpuKernels('js')`), measured where the two differ.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { registerTfGradients } from './tf_gradients';

export { tf };

export type LibName = 'axon' | 'axon-js' | 'tfjs-cpu' | 'tfjs-wasm';
export const LIBS: readonly LibName[] = ['axon', 'axon-js', 'tfjs-cpu', 'tfjs-wasm'];
type TfLib = Exclude<LibName, 'axon' | 'axon-js'>;

export interface PeerInfo {
  tfjsVersion: string;
  /** The peers that initialised, by name; a missing one is listed in `unavailable`. */
  available: LibName[];
  unavailable: Record<string, string>;
  wasm: { simd: boolean; threads: boolean } | null;
}

const TF_BACKEND: Record<TfLib, string> = { 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm' };

/** Initialises both tfjs backends (offline: the .wasm binaries are read from node_modules). */
export async function initPeers(): Promise<PeerInfo> {
  // Production mode drops tfjs's debug checks and its "install tfjs-node" notice.
  tf.enableProdMode();
  registerTfGradients();
  const require = createRequire(import.meta.url);
  const wasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(`${wasmDist}${path.sep}`);

  const info: PeerInfo = {
    tfjsVersion: tf.version_core,
    available: ['axon', 'axon-js'],
    unavailable: {},
    wasm: null,
  };
  for (const lib of ['tfjs-cpu', 'tfjs-wasm'] as const) {
    try {
      if (!(await tf.setBackend(TF_BACKEND[lib]))) throw new Error('setBackend returned false');
      info.available.push(lib);
    } catch (err) {
      info.unavailable[lib] = err instanceof Error ? err.message : String(err);
    }
  }
  if (info.available.includes('tfjs-wasm')) {
    info.wasm = {
      simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    };
  }
  return info;
}

/** Makes `lib`'s tfjs backend the current one (a no-op when it already is). */
export async function useTfBackend(lib: TfLib): Promise<void> {
  const name = TF_BACKEND[lib];
  if (tf.getBackend() !== name) await tf.setBackend(name);
}
