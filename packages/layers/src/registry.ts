import { ValueError } from '@axon/tensor';
import type { AnyModule, LayerConfig } from './module';

/** What a model file needs of a layer class: a way back from its config. */
export interface LayerClass {
  fromConfig(config: LayerConfig): AnyModule;
}

// On globalThis, so that a layer registered through one copy of this package is found by another.
const KEY = Symbol.for('axon.layerRegistry');
const g = globalThis as { [KEY]?: Map<string, LayerClass> };
g[KEY] ??= new Map<string, LayerClass>();
const byName: Map<string, LayerClass> = g[KEY];

/**
 * Registers a layer class under `name`, so that `load` can rebuild it from a model file. A layer
 * in its own package registers itself when that package is imported.
 */
export function registerLayer(name: string, cls: LayerClass): void {
  const existing = byName.get(name);
  if (existing && existing !== cls)
    throw new ValueError(`registerLayer: '${name}' is already registered to another class`);
  byName.set(name, cls);
}

export function getLayerClass(name: string): LayerClass {
  const cls = byName.get(name);
  if (!cls) {
    throw new ValueError(
      `unknown layer '${name}': import the package that registers it (registered: ${[...byName.keys()].sort().join(', ')})`,
    );
  }
  return cls;
}

/** The name a module's class was registered under. */
export function layerNameOf(m: AnyModule): string {
  for (const [name, cls] of byName) if (cls === (m.constructor as unknown)) return name;
  throw new ValueError(
    `${m.constructor.name} is not a registered layer: call registerLayer('${m.constructor.name}', ${m.constructor.name})`,
  );
}

export function registeredLayers(): string[] {
  return [...byName.keys()].sort();
}

/** A module as {type, config}: what a model file stores of its structure. */
export interface LayerSpec {
  type: string;
  config: LayerConfig;
}

export function specOf(m: AnyModule): LayerSpec {
  return { type: layerNameOf(m), config: m.config() };
}

export function fromSpec(spec: LayerSpec): AnyModule {
  return getLayerClass(spec.type).fromConfig(spec.config);
}
