/**
 * A counter-based generator: the n-th number of a stream depends only on (seed, n), never on a
 * hidden state. That lets any backend fill a tensor in parallel and still give the same numbers
 * as the CPU for the same seed. The mixing function is the PCG hash (Jarzynski & Olano, "Hash
 * Functions for GPU Rendering", 2020), applied twice so that nearby seeds give unrelated streams.
 */
export function pcgHash(x: number): number {
  const state = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The uint32 at position `counter` (a non-negative integer below 2^53) of stream `seed`. */
export function randomUint32(seed: number, counter: number): number {
  const hi = Math.floor(counter / 4294967296);
  const lo = counter >>> 0;
  const key = pcgHash((seed ^ pcgHash(hi)) >>> 0);
  return pcgHash((lo ^ key) >>> 0);
}

/** A float in [0, 1) with 24 random bits, exactly representable in float32. */
export function randomUnit(seed: number, counter: number): number {
  return (randomUint32(seed, counter) >>> 8) / 16777216;
}

/**
 * A standard normal by Box–Muller from the uniforms at `counter` and `counter + 1` (so a normal
 * draw of n elements uses 2n counters). `1 - u` keeps the logarithm's argument in (0, 1].
 */
export function randomNormal(seed: number, counter: number): number {
  const u1 = 1 - randomUnit(seed, counter);
  const u2 = randomUnit(seed, counter + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
