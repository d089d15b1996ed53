/**
 * Garbage collection on demand, for memory tests: Axon releases unreachable tensors through a
 * FinalizationRegistry, so a test that proves a loop flat must collect first. `--expose-gc` is
 * switched on at run time (v8.setFlagsFromString), so no test runner flag is needed.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null = null;

function collect(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Runs full collections and lets the finalization callbacks run (they are separate tasks), until
 * `read()` gives the same value three rounds in a row (at most 20 rounds); returns that value.
 */
export async function settleAfterGC<T>(read: () => T): Promise<T> {
  let last = JSON.stringify(read());
  let value = read();
  let same = 0;
  for (let round = 0; round < 20 && same < 3; round++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
    value = read();
    const now = JSON.stringify(value);
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return value;
}
