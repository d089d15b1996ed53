/**
 * The setup file every package's tests run (see vitest.shared.ts). A worker runs many test files
 * one after another in one module graph, so the tensors a finished file left for the garbage
 * collector could be released in the middle of the next file's memory test and change its count.
 * Before each file, this collects them and lets their finalizers run until the engine's count of
 * live tensors holds still (@axon/testing's settleAfterGC, the memory tests' own tool). It reads the
 * engine through its registered global (global_engine.ts), so it imports no library package;
 * before any package has made an engine there is nothing to settle.
 */
import { beforeAll } from 'vitest';
import { settleAfterGC } from './packages/testing/src/gc';

interface EngineLike {
  memory(): { numTensors: number };
}

beforeAll(async () => {
  const engine = (globalThis as Record<symbol, EngineLike | undefined>)[Symbol.for('axon.engine')];
  if (engine) await settleAfterGC(() => engine.memory().numTensors);
});
