import { ValueError } from '../errors';

/**
 * A seeded source of random streams. Each draw takes the next block of counters, so successive
 * draws differ while the same seed replays the same sequence of tensors, on any backend.
 */
export class Generator {
  private seedValue: number;
  private offset = 0;

  constructor(seed = 0) {
    this.seedValue = checkSeed(seed);
  }

  get seed(): number {
    return this.seedValue;
  }

  manualSeed(seed: number): this {
    this.seedValue = checkSeed(seed);
    this.offset = 0;
    return this;
  }

  /** Reserves `count` counters and returns (seed, first counter) for a RandomFill kernel. */
  take(count: number): { seed: number; offset: number } {
    const offset = this.offset;
    this.offset += count;
    return { seed: this.seedValue, offset };
  }

  getState(): { seed: number; offset: number } {
    return { seed: this.seedValue, offset: this.offset };
  }

  setState(state: { seed: number; offset: number }): void {
    this.seedValue = checkSeed(state.seed);
    this.offset = state.offset;
  }
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed)) throw new ValueError(`manualSeed: the seed must be an integer, got ${seed}`);
  // Fold seeds beyond 32 bits into the key rather than silently dropping their high bits.
  return (seed ^ Math.floor(seed / 4294967296)) >>> 0;
}

const KEY = Symbol.for('axon.defaultGenerator');
const g = globalThis as { [KEY]?: Generator };
g[KEY] ??= new Generator(0);

/** The generator every random op uses unless it is given one. */
export function defaultGenerator(): Generator {
  return g[KEY] as Generator;
}

/** Seeds the default generator: the same seed gives the same numbers on the same backend. */
export function manualSeed(seed: number): void {
  defaultGenerator().manualSeed(seed);
}
