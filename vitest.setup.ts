/**
 * The setup file every package's tests run (see vitest.shared.ts). A worker runs many test files
 * one after another in one module graph, so the tensors a finished file left for the garbage
 * collector could be released in the middle of the next file's memory test and change its count.
 * Before each file, this collects them and lets their finalizers run until the engine's count of
 * live tensors holds still. It reads the engine through its registered global (global_engine.ts),
 * so it imports no package; before any package has made an engine there is nothing to settle.
 */
import { beforeAll } from 'vitest';

interface EngineLike {
  memory(): { numTensors: number };
}

beforeAll(async () => {
  const engine = (globalThis as Record<symbol, EngineLike | undefined>)[Symbol.for('axon.engine')];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!engine || !gc) return;
  let last = -1;
  for (let round = 0, same = 0; round < 20 && same < 2; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const now = engine.memory().numTensors;
    same = now === last ? same + 1 : 0;
    last = now;
  }
});
