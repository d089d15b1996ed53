import { defineConfig } from 'vitest/config';

// Resolve workspace packages to their TypeScript sources (the `source` export condition),
// so tests run without a build step.
export default defineConfig({
  resolve: { conditions: ['source'] },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
