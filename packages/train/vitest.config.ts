import { defineConfig } from 'vitest/config';

// Resolve workspace packages to their TypeScript sources (the `source` export condition), so tests
// run without a build step. Node tests go through Vite's SSR resolver, which has its own setting.
// --expose-gc lets the memory test collect garbage before it reads RSS and the heap.
//
// Sized to pass on a busy machine (a load of ~10 on 2 cores slows a test 5–20×): each test file
// runs in its own child process (`forks`), and the timeouts are far above any test's idle time
// (the slowest, the memory test, takes a few seconds and sets its own longer timeout). Hooks and
// teardown get the same room. No test asserts on timing.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
