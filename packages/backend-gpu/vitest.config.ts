// The shared configuration (see vitest.shared.ts at the repository root), plus @axon/testing's
// event-loop setup: a turn of the event loop before each test, so that the synchronous work of
// consecutive tests (gpu.js compiles kernels synchronously, slowly in the GL modes) never adds up
// to one stretch long enough for vitest's worker RPC to time out (60 s) on a loaded machine; and,
// with AXON_BLOCK_WATCH=1, a report of each test file's longest synchronous stretches. Each file
// runs in a fresh module graph (`isolate`; the other packages share one per worker): the files test
// what importing the backend does to a fresh engine (registration, a lazily made gpu.js context)
// and count the gpu buffers live after their own work.
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

export default mergeConfig(shared, {
  test: { isolate: true, setupFiles: ['@axon/testing/event-loop-setup'] },
});
