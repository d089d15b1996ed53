import { fileURLToPath } from 'node:url';
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
 * - A worker runs its files one after another in one module graph (`isolate: false`): each file
 *   no longer imports and transforms the packages afresh, which took over half the suite's CPU
 *   time. vitest.setup.ts releases what one file left to the garbage collector before the next
 *   begins, so that memory tests count only their own tensors. A package whose tests need a fresh
 *   engine or vi.mock says `isolate: true` in its own config.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    isolate: false,
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
