/**
 * The libraries Axon is compared with: TensorFlow.js 4.22 with its pure-JS CPU backend and its
 * WebAssembly backend (XNNPACK; SIMD when the runtime has it). Both live in one tfjs-core engine,
 * so a runner switches the engine's backend before it runs. `axon` is Axon's cpu backend as it
 * runs by default (float32 matmul on its WebAssembly SIMD gemm, large products shared over its
 * worker threads); `axon-1t` is the same held to one thread (`setNumThreads(1)`), as every peer
 * runs here; `axon-js` is the same backend forced onto its pure-JS kernels (`setCpuKernels('js')`),
 * measured where the two differ.
 *
 * With `--peers` two more join: jax-js 0.1.25 (`@jax-js/jax`, its `wasm` device; it only spawns
 * worker threads where a global `Worker` exists, which Node 20 lacks, so it runs on one thread
 * here) and PyTorch on one thread, in a Python child process (./torch_peer.ts), where installed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as jax from '@jax-js/jax';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { registerTfGradients } from './tf_gradients';
import { TorchPeer } from './torch_peer';

export { jax, tf };

export type LibName = 'axon' | 'axon-1t' | 'axon-js' | 'tfjs-cpu' | 'tfjs-wasm' | 'jax-js' | 'torch';
/** Every library, in the order of the tables. */
export const LIBS: readonly LibName[] = [
  'axon',
  'axon-1t',
  'axon-js',
  'tfjs-cpu',
  'tfjs-wasm',
  'jax-js',
  'torch',
];
/** The libraries of the default run (`pnpm bench`) and of `pnpm bench --peers`. */
export const DEFAULT_LIBS: readonly LibName[] = ['axon', 'axon-js', 'tfjs-cpu', 'tfjs-wasm'];
export const PEER_LIBS: readonly LibName[] = ['axon', 'axon-1t', 'tfjs-cpu', 'tfjs-wasm', 'jax-js', 'torch'];
type TfLib = 'tfjs-cpu' | 'tfjs-wasm';

export interface PeerInfo {
  tfjsVersion: string;
  /** The peers that initialised, by name; a missing one is listed in `unavailable`. */
  available: LibName[];
  unavailable: Record<string, string>;
  wasm: { simd: boolean; threads: boolean } | null;
  /** With --peers: jax-js's version and device, and whether it could start worker threads. */
  jax?: { version: string; device: string; threads: boolean };
  /** With --peers, where PyTorch imports: its version and thread count. */
  torch?: { version: string; threads: number; blas: string };
}

/** The PyTorch child process, once `initPeers({ extra: true })` has started it. */
let torchPeer: TorchPeer | null = null;

export function getTorchPeer(): TorchPeer {
  if (!torchPeer) throw new Error('PyTorch peer not started');
  return torchPeer;
}

/** Ends the PyTorch child process (if any). */
export function closePeers(): void {
  torchPeer?.close();
  torchPeer = null;
}

const TF_BACKEND: Record<TfLib, string> = { 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm' };

/**
 * Initialises both tfjs backends (offline: the .wasm binaries are read from node_modules); with
 * `extra` (--peers) also jax-js's wasm device and the PyTorch child process.
 */
export async function initPeers(options: { extra?: boolean } = {}): Promise<PeerInfo> {
  // Production mode drops tfjs's debug checks and its "install tfjs-node" notice.
  tf.enableProdMode();
  registerTfGradients();
  const require = createRequire(import.meta.url);
  const wasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(`${wasmDist}${path.sep}`);

  const info: PeerInfo = {
    tfjsVersion: tf.version_core,
    available: ['axon', 'axon-1t', 'axon-js'],
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
  if (!options.extra) return info;
  info.available = info.available.filter((lib) => lib !== 'axon-js');

  try {
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`init('wasm') gave devices [${devices.join(', ')}]`);
    jax.defaultDevice('wasm');
    // The package exports no package.json; read it next to its dist/ folder.
    const main = createRequire(import.meta.url).resolve('@jax-js/jax');
    const pkg = JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    // jax-js's wasm backend uses worker threads only with SharedArrayBuffer and a global Worker.
    const threads = typeof SharedArrayBuffer !== 'undefined' && 'Worker' in globalThis;
    info.jax = { version: pkg.version, device: 'wasm', threads };
    info.available.push('jax-js');
  } catch (err) {
    info.unavailable['jax-js'] = err instanceof Error ? err.message : String(err);
  }

  try {
    torchPeer = await TorchPeer.start();
    info.torch = { version: torchPeer.version, threads: torchPeer.threads, blas: torchPeer.blas };
    info.available.push('torch');
  } catch (err) {
    info.unavailable.torch = `column skipped: ${err instanceof Error ? err.message : String(err)}`;
  }
  return info;
}

/** Makes `lib`'s tfjs backend the current one (a no-op when it already is). */
export async function useTfBackend(lib: TfLib): Promise<void> {
  const name = TF_BACKEND[lib];
  if (tf.getBackend() !== name) await tf.setBackend(name);
}
