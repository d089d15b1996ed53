import { defineConfig } from 'vitest/config';

// Plain TypeScript with no workspace dependency; the `source` condition is set as in the other
// packages so that the same settings resolve it when they import it.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 },
});
