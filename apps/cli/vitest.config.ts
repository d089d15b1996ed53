// The shared configuration (see vitest.shared.ts at the repository root), except that each test
// file runs in a fresh module graph (`isolate`): interop.test.ts replaces ../src/onnx_runtime with
// vi.mock, which only takes where no earlier file in the same worker has loaded the real module.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

export default mergeConfig(shared, defineConfig({ test: { isolate: true } }));
