/**
 * Timing helpers. Implementations are interleaved round-robin, so that a slow drift of the
 * machine (thermal state, another process, GC pressure) spreads over all of them instead of
 * penalising whichever happened to run last; the reported figure is the median.
 */

/** One contender in a case, already holding its inputs. */
export interface Runner {
  /** Makes this runner's backend current; untimed. */
  activate(): Promise<void>;
  /**
   * One timed repetition. It frees what it allocates. A runner whose work finishes later (jax-js's
   * lazy arrays) returns a promise and is timed until it settles; a runner that times itself
   * (PyTorch, in a child process) resolves to its own measurement in milliseconds, so that the
   * message passing is left out.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a synchronous runner returns nothing at all
  run(): void | Promise<undefined | number>;
  /**
   * The case's result in a layout shared by all runners (untimed, called once), to check that
   * the contenders compute the same thing.
   */
  result(): Promise<Float64Array>;
  /** Frees the inputs. */
  dispose(): void;
}

/**
 * Runs `warmup` untimed rounds (the JIT and the peers' lazy initialisation settle there), then
 * `reps` timed rounds; each round gives every runner a turn, starting from a rotating position.
 *
 * With `warmupMs`, each runner first runs alone, untimed, until that much time has passed (at
 * least once). A step of a millisecond or two takes a few hundred runs to settle (Axon's MNIST
 * MLP step: about 2–4 ms over its first 200 runs, ~1.0 ms from about the 500th, the same with V8’s
 * WebAssembly baseline compiler off, so the JavaScript JIT's doing), which a handful of shared
 * rounds never gives it, while a slow peer's step (tfjs-cpu's seconds) is steady from its first
 * run.
 *
 * A turn is one timed run when `turnMs` is 0. With `turnMs`, a turn is an untimed run, then timed
 * runs until `turnMs` has passed since the turn began (at least one): every library is timed at
 * its own steady state, as a training run's steps follow each other, not right after another
 * library's step. That first run pays for what the previous library left in the caches and
 * branch predictors: Axon's MNIST MLP step takes ~1.5 ms right after a jax-js step and ~1.0 ms
 * after its own (jax-js's: ~2.4 and ~2.0 ms), so one-run turns measure mostly how a library
 * recovers from another's, which no training run sees. A runner whose run outlasts the turn
 * (tfjs-cpu's seconds) skips the untimed run: a cold start is lost in its noise.
 */
export async function roundRobin(
  runners: ReadonlyMap<string, Runner>,
  reps: number,
  warmup: number,
  warmupMs = 0,
  turnMs = 0,
): Promise<Map<string, number[]>> {
  const names = [...runners.keys()];
  const times = new Map<string, number[]>(names.map((n) => [n, []]));
  const once = async (runner: Runner) => {
    const t0 = performance.now();
    const pending = runner.run();
    const own = pending instanceof Promise ? await pending : undefined;
    return typeof own === 'number' ? own : performance.now() - t0;
  };
  // Each runner's latest run (ms): a turn skips its untimed run when one run outlasts the turn.
  const lastMs = new Map<string, number>();
  if (warmupMs > 0) {
    for (const [name, runner] of runners) {
      await runner.activate();
      const until = performance.now() + warmupMs;
      do lastMs.set(name, await once(runner));
      while (performance.now() < until);
    }
  }
  for (let round = 0; round < warmup + reps; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      const runner = runners.get(name) as Runner;
      await runner.activate();
      const start = performance.now();
      if (turnMs > 0 && (lastMs.get(name) ?? 0) < turnMs) await once(runner);
      do {
        const ms = await once(runner);
        lastMs.set(name, ms);
        if (round >= warmup) times.get(name)?.push(ms);
      } while (performance.now() - start < turnMs);
    }
  }
  return times;
}
