import { CpuBackend } from './backends/cpu/backend';
import { Engine } from './engine';

// One engine per process, even if two copies of this package are loaded (an ESM and a CJS build,
// say): a tensor made by one copy must be usable by the other and by the backends they register.
const KEY = Symbol.for('axon.engine');
const g = globalThis as { [KEY]?: Engine };
if (!g[KEY]) {
  g[KEY] = new Engine();
  g[KEY].registerBackend('cpu', () => new CpuBackend(), 1);
}

export const ENGINE: Engine = g[KEY];
