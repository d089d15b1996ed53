import { ValueError } from '../../../errors';
import { GEMM_WASM_SHARED_BASE64 } from './gemm_wasm_bytes';
import { aroundSide, runSide, type SideCalls, type SideWork, sideInts } from './side_work';
import { decodeBase64, simdSupported, type WasmExports } from './wasm_module';

/**
 * The WebAssembly GEMM on every core: a small pool of worker threads that share one WebAssembly
 * memory with the calling thread, each computing its own block of the output.
 *
 * Why threads only here: the products (matmul, and conv2d through im2col) are where training
 * spends its arithmetic, and they split into independent output blocks with no communication.
 *
 * How. The operands are written once into a shared `WebAssembly.Memory` (copied in, or built there
 * by the caller: threadedStage, then threadedRun); the work is cut into tasks —
 * whole products of a batch, or column (row) blocks of one product, multiples of the micro-tile —
 * and each participant (the calling thread and the ready workers) runs a contiguous run of them
 * with its own packing scratch. Workers sleep in `Atomics.wait` on their slot of a small shared
 * control array; the caller writes their tasks there, bumps a sequence number, does its own share
 * and waits for each worker's `done`. No task splits a sum over k, and the GEMM computes each
 * output element the same way wherever its block starts, so the result has the same bits for
 * every thread count.
 *
 * Lifecycle. Nothing starts until a product is large enough (AWAKE_MIN_WORK multiply-adds, and
 * not thin) and more than one thread is allowed. After each call a worker stays awake, spinning,
 * for SPIN_MS before it sleeps: a training step's next product comes sooner than a sleeping thread
 * wakes (hundreds of microseconds on a VM's idle vCPU). Products of THREAD_MIN_WORK and more always
 * go to the pool; smaller ones from AWAKE_MIN_WORK only to workers that are awake and idle, and
 * otherwise run on the calling thread while the workers are woken for the next one. Workers start
 * in the background and join once ready (the
 * caller never waits for a start) and are `unref`'d (they never keep the process alive). A lower
 * `setNumThreads` leaves the extra ones asleep rather than stopping them: a slot is never handed
 * to a new worker while an old one may still be waking on it. Threads: `setNumThreads(n)`, or
 * `AXON_NUM_THREADS`, default one per physical core (at most 4; see defaultThreads). Node only
 * (it blocks the calling thread in `Atomics.wait`, which a browser's main thread may not);
 * elsewhere everything runs on the calling thread.
 */

/**
 * Multiply-adds (m·n·k over the batch) below which the pool costs more than it saves: staging the
 * operands in the shared memory and waking the workers. Measured on 2 cores in training steps, where
 * products come back to back: the MNIST MLP's 6.4M and the small CNN's 7-13M ran 10-20% slower on
 * two threads than on one, while alone 256³ (17M) gained 1.16×, 1568×512×64 (51M) 1.46× and
 * 512³ 1.71×.
 */
export const THREAD_MIN_WORK = 1 << 25;
/**
 * Products from this many multiply-adds go to workers that are awake (see the file head): the
 * MNIST MLP's 6.4M-multiply-add products: its training step back to back 0.93 → 0.81–0.85 ms on
 * two threads. Below, the split costs more than it saves.
 */
export const AWAKE_MIN_WORK = 1 << 22;
/**
 * ... and only when each of m, n and k is at least this: a thin product (the small CNN's convolutions:
 * 8 or 16 output channels, or k = 25) splits into thin blocks whose packing and hand-over cost
 * more than they save (its step 7.7 → 10.3 ms on two threads without this rule).
 */
export const AWAKE_MIN_SIDE = 32;
/** How long a worker spins after a call before it sleeps (ms). */
const SPIN_MS = 2;
const PAGE = 65536;
/** The shared memory grows up to this; a larger product runs on the calling thread alone. */
const MAX_BYTES = 256 * 1024 * 1024;
const MAX_THREADS = 64;

// The control array: one slot of SLOT ints per worker.
const SEQ = 0; // bumped by the caller to hand over work
const DONE = 1; // set to SEQ by the worker when its tasks are done
const READY = 2; // 1 once the worker has instantiated the module
const FAILED = 3; // 1 if a task threw (the caller redoes that worker's share)
const AWAKE = 4; // 1 while the worker spins between calls instead of sleeping
const PARAMS = 5; // k, lda, ldb, ldc, transA, transB, accumulate, scratch
const GEOMETRY = 13; // side work (SideWork): its 12 geometry ints, then ld
const COUNT = 26; // number of tasks (0: only wake up)
const TASKS = 27; // then COUNT × (a, b, c, m, n, side kind, src, srcStep, cg, dst, dstStep, count)
const TASK_INTS = 12;
const MAX_TASKS = 512;
const SLOT = TASKS + MAX_TASKS * TASK_INTS;

/**
 * The worker's whole program: instantiate, then run tasks whenever SEQ moves; between calls it
 * spins for SPIN_MS (AWAKE set) before it sleeps in Atomics.wait.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot } = workerData;
const c = new Int32Array(control, slot * ${SLOT * 4}, ${SLOT});
const { gemm, im2col, col2im } = new WebAssembly.Instance(module, { env: { memory } }).exports;
// The task's side work (SideWork): count calls of im2col (kind 1, before the GEMM) or col2im (2, after).
const side = (o, kind) => {
  if (c[o + 5] !== kind) return;
  const f = kind === 1 ? im2col : col2im;
  const g = c.subarray(${GEOMETRY}, ${GEOMETRY + 13});
  for (let i = 0, src = c[o + 6], dst = c[o + 9]; i < c[o + 11]; i++, src += c[o + 7], dst += c[o + 10]) {
    f(src, c[o + 8], g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], dst, g[12]);
  }
};
Atomics.store(c, ${READY}, 1);
let seen = 0;
for (;;) {
  Atomics.store(c, ${AWAKE}, 1);
  const until = performance.now() + ${SPIN_MS};
  while (Atomics.load(c, ${SEQ}) === seen && performance.now() < until) {}
  Atomics.store(c, ${AWAKE}, 0);
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  try {
    const [k, lda, ldb, ldc, tA, tB, acc, scratch] = c.subarray(${PARAMS}, ${PARAMS + 8});
    for (let t = 0, o = ${TASKS}; t < c[${COUNT}]; t++, o += ${TASK_INTS}) {
      side(o, 1);
      gemm(c[o], c[o + 1], c[o + 2], c[o + 3], c[o + 4], k, lda, ldb, ldc, tA, tB, scratch, acc);
      side(o, 2);
    }
  } catch (err) {
    Atomics.store(c, ${FAILED}, 1);
  }
  Atomics.store(c, ${DONE}, seen);
  Atomics.notify(c, ${DONE});
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error' | 'exit', listener: (arg: unknown) => void): void;
}
type WorkerCtor = new (
  source: string,
  options: { eval: true; workerData: unknown; stdout?: boolean; stderr?: boolean },
) => WorkerLike;

export interface Pool {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: WasmExports;
  control: Int32Array;
  workers: (WorkerLike | null)[];
}

let threads = threadsFromEnv();
let pool: Pool | null = null;
let poolFailed = '';

/** A Node built-in module, or undefined elsewhere (a browser). */
function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

function nodeWorker(): WorkerCtor | null {
  return builtin<{ Worker?: WorkerCtor }>('node:worker_threads')?.Worker ?? null;
}

/**
 * One thread per physical core, at most 4: two SIMD GEMMs on one core's two hyper-threads share its
 * vector units. Measured on 2-vCPU machines: on one whose two shared a core's vector units, two
 * 1024² products at once ran at 22 + 28 GFLOP/s against 42.5 alone and the pool was ~10% slower
 * than one thread; on one where Linux reports two cores, two products at once ran at
 * 36 + 38 against 41, and the pool ran 1024² 1.88× as fast as one thread. Linux names each logical
 * core's siblings; elsewhere half the logical cores is the guess (cloud vCPUs usually come in pairs).
 */
function defaultThreads(): number {
  const logical = builtin<{ availableParallelism?: () => number }>('node:os')?.availableParallelism?.() ?? 1;
  return Math.max(1, Math.min(4, physicalCores(logical) ?? Math.floor(logical / 2)));
}

/** The distinct sets of hyper-thread siblings among the first `logical` cores (Linux), else undefined. */
function physicalCores(logical: number): number | undefined {
  const fs = builtin<{ readFileSync(path: string, encoding: 'utf8'): string }>('node:fs');
  if (!fs) return undefined;
  const cores = new Set<string>();
  try {
    for (let i = 0; i < logical; i++) {
      cores.add(fs.readFileSync(`/sys/devices/system/cpu/cpu${i}/topology/thread_siblings_list`, 'utf8'));
    }
  } catch {
    return undefined; // not Linux, or no topology to read
  }
  return cores.size;
}

function threadsFromEnv(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.AXON_NUM_THREADS?.trim();
  if (v) {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS);
  }
  return defaultThreads();
}

/**
 * Sets how many threads the CPU backend's large float32 products use (the calling thread
 * included): 1 runs everything on the calling thread (started workers stay asleep). Default: one per
 * physical core, at most 4, or `AXON_NUM_THREADS`. Results are the same bits for every setting.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ValueError(`setNumThreads: expected an integer from 1 to ${MAX_THREADS}, got ${String(n)}`);
  }
  threads = n;
}

/** The number of threads large products use (see setNumThreads), and how many workers are ready. */
export function getNumThreads(): { threads: number; readyWorkers: number; reason?: string } {
  const ready = pool ? readyWorkers(pool).length : 0;
  return poolFailed ? { threads, readyWorkers: ready, reason: poolFailed } : { threads, readyWorkers: ready };
}

/**
 * The workers that can take part now: among the first threads − 1, those started and idle (done
 * with the last request: a wake-up may still be on its way, and a slot is never rewritten before
 * its worker has read it), and with `awake`, only those spinning.
 */
function readyWorkers(p: Pool, awake = false): number[] {
  const ready: number[] = [];
  for (let w = 0; w < Math.min(threads - 1, p.workers.length); w++) {
    const at = w * SLOT;
    if (!p.workers[w] || Atomics.load(p.control, at + READY) !== 1) continue;
    if (Atomics.load(p.control, at + DONE) !== Atomics.load(p.control, at + SEQ)) continue;
    if (!awake || Atomics.load(p.control, at + AWAKE) === 1) ready.push(w);
  }
  return ready;
}

/** Wakes the idle workers with a request of no tasks, so that they spin awaiting the next one. */
function wake(p: Pool): void {
  for (const w of readyWorkers(p)) {
    const slot = p.control.subarray(w * SLOT, (w + 1) * SLOT);
    slot[COUNT] = 0;
    Atomics.add(slot, SEQ, 1);
    Atomics.notify(slot, SEQ);
  }
}

/** The pool, created on first use; null where threads cannot run here. */
function getPool(): Pool | null {
  if (pool) return pool;
  if (poolFailed) return null;
  const Worker = nodeWorker();
  if (!Worker || typeof SharedArrayBuffer === 'undefined' || !simdSupported()) {
    poolFailed = 'worker threads need Node (worker_threads) with SharedArrayBuffer and WebAssembly SIMD';
    return null;
  }
  try {
    const module = new WebAssembly.Module(decodeBase64(GEMM_WASM_SHARED_BASE64) as BufferSource);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_BYTES / PAGE, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const control = new Int32Array(new SharedArrayBuffer(MAX_THREADS * SLOT * 4));
    pool = { module, memory, exports: instance.exports as unknown as WasmExports, control, workers: [] };
    return pool;
  } catch (err) {
    poolFailed = `could not set up the shared memory: ${err instanceof Error ? err.message : String(err)}`;
    return null;
  }
}

/** Starts workers up to threads − 1 (they join calls once ready). */
function startWorkers(p: Pool): void {
  const Worker = nodeWorker() as WorkerCtor;
  for (let w = 0; w < threads - 1; w++) {
    if (p.workers[w]) continue;
    p.control.fill(0, w * SLOT, (w + 1) * SLOT);
    try {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: p.module, memory: p.memory, control: p.control.buffer, slot: w },
      });
      worker.unref();
      // A worker that fails to start or dies is dropped; its slot never becomes ready again.
      const drop = () => {
        if (p.workers[w] === worker) p.workers[w] = null;
      };
      worker.on('error', drop);
      worker.on('exit', drop);
      p.workers[w] = worker;
    } catch (err) {
      poolFailed = `could not start a worker: ${err instanceof Error ? err.message : String(err)}`;
      return;
    }
  }
}

/**
 * The workers that `batches` products of m×k · k×n go to (the calling thread takes part too), or
 * null: the calling thread alone. From THREAD_MIN_WORK, the ready ones (starting them if needed;
 * possibly none yet); from AWAKE_MIN_WORK, the awake ones — and when none is awake, null, after
 * waking them for the next product (see the file head).
 */
export function threadsFor(m: number, n: number, k: number, batches = 1): number[] | null {
  const work = batches * m * n * k;
  if (threads <= 1 || poolFailed || work < AWAKE_MIN_WORK) return null;
  const large = work >= THREAD_MIN_WORK;
  if (!large && Math.min(m, n, k) < AWAKE_MIN_SIDE) return null;
  const p = getPool();
  if (!p) return null;
  startWorkers(p);
  if (large) return readyWorkers(p);
  const awake = readyWorkers(p, true);
  if (awake.length > 0) return awake;
  wake(p);
  return null;
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * A product laid out in the pool's shared memory, ready to run: `a`, `b` and `c` are views of the
 * operands' places there ([scratch × participants][A][B][C], each 16-byte aligned), which the
 * caller fills (C too when accumulating) before `threadedRun` and reads C from after it. The views
 * stay valid until the next product is staged (staging may grow the memory).
 */
export interface ThreadedStage {
  pool: Pool;
  ready: number[];
  scratch: number;
  aPtr: number;
  bPtr: number;
  cPtr: number;
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
}

/**
 * Lays out a product of A (`aLength` elements), B and C in the shared memory for the calling
 * thread and the workers `ready` (from threadsFor); null when the memory cannot take it (then the
 * caller runs on its own thread).
 */
export function threadedStage(
  aLength: number,
  bLength: number,
  cLength: number,
  m: number,
  n: number,
  k: number,
  ready: number[],
): ThreadedStage | null {
  const p = pool;
  if (!p) return null;
  const scratch = align16(p.exports.scratchBytes(m, n, k));
  const aPtr = scratch * (1 + ready.length);
  const bPtr = aPtr + align16(aLength * 4);
  const cPtr = bPtr + align16(bLength * 4);
  const need = cPtr + cLength * 4;
  if (need > MAX_BYTES) return null;
  const have = p.memory.buffer.byteLength;
  if (need > have) p.memory.grow(Math.ceil((need - have) / PAGE));
  const buffer = p.memory.buffer;
  return {
    pool: p,
    ready,
    scratch,
    aPtr,
    bPtr,
    cPtr,
    a: new Float32Array(buffer, aPtr, aLength),
    b: new Float32Array(buffer, bPtr, bLength),
    c: new Float32Array(buffer, cPtr, cLength),
  };
}

/**
 * Runs a staged batch of products over the pool: the [m, n] block t of C becomes
 * op(A_t) · op(B_t) (plus its old contents with `accumulate`), A_t being matrix `aIndex[t]` of the
 * staged A and B_t matrix `bIndex[t]` of B. With `side` (one product only), each block's
 * im2col or col2im runs with it, on the same thread (see side_work.ts); when the product splits
 * along m instead, the side work runs whole on this thread, before or after. Returns false, having
 * written nothing, when the work cuts into more tasks than the control array holds (then the caller
 * runs it on its own thread).
 */
export function threadedRun(
  s: ThreadedStage,
  aIndex: readonly number[],
  bIndex: readonly number[],
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
  side?: SideWork,
): boolean {
  const { pool: p, ready, scratch, aPtr, bPtr, cPtr } = s;
  const participants = 1 + ready.length;
  const batches = aIndex.length;
  if (side && batches !== 1)
    throw new ValueError(`threadedRun: side work goes with one product, got ${batches}`);

  // Tasks: whole products when there are enough, else each product cut into column (row) blocks.
  const tasks: number[] = [];
  const blockCalls: SideCalls[] = []; // each task's side calls, with `split`
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const pieces = Math.ceil(participants / batches);
  const byColumns = n >= m;
  const split = byColumns ? side : undefined; // side work that goes with each block
  const unit = split ? split.unit : byColumns ? 8 : 4; // else the micro-tile's NR (MR)
  const extent = byColumns ? n : m;
  const step = Math.ceil(Math.ceil(extent / pieces) / unit) * unit;
  for (let t = 0; t < batches; t++) {
    const a0 = aPtr + aIndex[t] * m * k * 4;
    const b0 = bPtr + bIndex[t] * k * n * 4;
    const c0 = cPtr + t * m * n * 4;
    for (let s = 0; s < extent; s += step) {
      const len = Math.min(step, extent - s);
      const calls = split?.calls(s, len);
      if (calls) blockCalls.push(calls);
      const sides = sideInts(split, calls);
      if (byColumns) tasks.push(a0, b0 + (transB ? s * ldb : s) * 4, c0 + s * 4, m, len, ...sides);
      else tasks.push(a0 + (transA ? s : s * lda) * 4, b0, c0 + s * n * 4, len, n, ...sides);
    }
  }
  const count = tasks.length / TASK_INTS;
  const share = Math.ceil(count / participants);
  if (share > MAX_TASKS) return false;
  const whole = side && !split ? side.calls(0, n) : undefined;
  if (side && whole && side.kind === 1) runSide(p.exports, side, whole);

  // Hand each ready worker its run of tasks (the caller keeps the first run).
  const params = [k, lda, ldb, n, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0];
  const handed: number[] = [];
  for (let i = 0; i < ready.length; i++) {
    const first = (i + 1) * share;
    const last = Math.min(count, first + share);
    if (first >= last) break;
    const w = ready[i];
    const slot = p.control.subarray(w * SLOT, (w + 1) * SLOT);
    slot.set(params, PARAMS);
    slot[PARAMS + 7] = scratch * (i + 1);
    if (split) {
      slot.set(split.geometry, GEOMETRY);
      slot[GEOMETRY + 12] = split.ld;
    }
    slot[COUNT] = last - first;
    slot.set(tasks.slice(first * TASK_INTS, last * TASK_INTS), TASKS);
    Atomics.store(slot, FAILED, 0);
    const seq = Atomics.add(slot, SEQ, 1) + 1;
    Atomics.notify(slot, SEQ);
    handed.push(w, seq, first, last);
  }
  const run = (first: number, last: number, scratchPtr: number) => {
    for (let t = first; t < last; t++) {
      const o = t * TASK_INTS;
      aroundSide(p.exports, split, blockCalls[t], () =>
        p.exports.gemm(
          tasks[o],
          tasks[o + 1],
          tasks[o + 2],
          tasks[o + 3],
          tasks[o + 4],
          k,
          lda,
          ldb,
          n,
          params[4],
          params[5],
          scratchPtr,
          params[6],
        ),
      );
    }
  };
  run(0, Math.min(share, count), 0);
  for (let h = 0; h < handed.length; h += 4) {
    const [w, seq, first, last] = handed.slice(h, h + 4);
    const slot = p.control.subarray(w * SLOT, (w + 1) * SLOT);
    // The shares are even, so the worker is usually about done: spin a little before sleeping.
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(slot, DONE) !== seq && performance.now() < until) {}
    for (let done = Atomics.load(slot, DONE); done !== seq; done = Atomics.load(slot, DONE)) {
      Atomics.wait(slot, DONE, done);
    }
    if (Atomics.load(slot, FAILED) === 1) run(first, last, 0);
  }
  if (side && whole && side.kind === 2) runSide(p.exports, side, whole);
  return true;
}
