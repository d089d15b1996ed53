import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every package uses (each package's vitest.config.ts re-exports it).
 *
 * - Workspace packages resolve to their TypeScript sources (the `source` export condition), so tests
 *   run without a build step; Node tests go through Vite's SSR resolver, which has its own setting.
 * - Sized to pass on a busy machine (a load of ~10 on 2 cores slows a test 5–20×): each test file runs
 *   in its own child process (`forks`), and the timeouts are far above any test's idle time (the
 *   slowest takes a few seconds; tests that read whole data sets set their own, longer timeout).
 *   Hooks and teardown get the same room. No test asserts on timing.
 * - `--expose-gc` lets memory tests collect garbage before they count live tensors.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    isolate: false,
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
