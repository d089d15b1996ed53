import { useWasmLoops, wasmInstance } from './gemm_wasm';
import type { WasmExports } from './wasm_module';

/**
 * How the CPU kernels run one of the module's elementwise functions (wasm/elementwise.ts): the
 * inputs are copied into a WebAssembly instance's memory, the function runs on their byte
 * addresses, the outputs are copied back. The copies are memcpy-fast; the loops they save are
 * JS's slowest (per-element work on typed arrays, which V8 does not vectorise).
 *
 * Large arrays go through in chunks of at most CHUNK elements: the instance's memory stays small
 * (it is kept between calls, so no call pays for a fresh one), and each chunk's copies and loop
 * run while its data is still in the L2 cache.
 */

type Words = Float32Array | Int32Array;

/** Elements per chunk: three float32 arrays of it fit a 1 MB L2 cache. */
export const CHUNK = 1 << 16;

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * One chunk: lays out `inputs` then `outputs` (16-byte aligned) in WebAssembly memory, copies the
 * inputs in, calls `f` with the exports and each array's byte address (inputs first), copies the
 * outputs back. False, having written nothing, when no memory could be had.
 */
export function chunkInWasm(
  inputs: readonly Words[],
  outputs: readonly Words[],
  f: (exports: WasmExports, at: readonly number[]) => void,
): boolean {
  const at: number[] = [];
  let bytes = 0;
  for (const a of [...inputs, ...outputs]) {
    at.push(bytes);
    bytes += align16(a.length * 4);
  }
  const ws = wasmInstance(Math.max(bytes, 16));
  if (!ws) return false;
  const i32 = new Int32Array(ws.f32.buffer);
  const view = (a: Words) => (a instanceof Float32Array ? ws.f32 : i32);
  inputs.forEach((a, i) => {
    view(a).set(a, at[i] >> 2);
  });
  f(ws.exports, at);
  outputs.forEach((o, i) => {
    const from = at[inputs.length + i] >> 2;
    o.set(view(o).subarray(from, from + o.length));
  });
  return true;
}

/**
 * Runs `f` over [0, total) in WebAssembly, `step` units at a time (at least one unit a chunk);
 * `part(start, end)` copies in, calls and copies out one chunk, returning false when no memory
 * could be had. Returns false — the caller then runs its JS loop, which rewrites every output
 * element — when the loop should stay in JS: the WebAssembly kernels off or unavailable, fewer
 * than WASM_LOOP_MIN elements (`elements`) under 'auto', or no memory.
 */
export function inChunks(
  elements: number,
  total: number,
  step: number,
  part: (start: number, end: number) => boolean,
): boolean {
  if (!useWasmLoops(elements)) return false;
  const units = Math.max(1, step);
  for (let start = 0; start < total; start += units) {
    if (!part(start, Math.min(total, start + units))) return false;
  }
  return true;
}

/**
 * A pointwise loop: y[i] = f(inputs[·][i]) where each input is full (y's length) or one value.
 * `f` gets the exports, the byte addresses (inputs, then y) and the chunk's length.
 */
export function pointwiseInWasm(
  inputs: readonly Float32Array[],
  y: Float32Array,
  f: (exports: WasmExports, at: readonly number[], n: number) => void,
): boolean {
  const n = y.length;
  return inChunks(n, n, CHUNK, (start, end) =>
    chunkInWasm(
      inputs.map((a) => (a.length === n ? a.subarray(start, end) : a)),
      [y.subarray(start, end)],
      (e, at) => f(e, at, end - start),
    ),
  );
}
