import { assign, DTypeError, fmtShape, keep, ShapeError, type Tensor, tidy, ValueError } from '@axon/tensor';
import '@axon/autograd';
import { trackRegistered } from './allocation';
import { summarize } from './summary';

/** A layer's constructor arguments as JSON, enough for `fromConfig` to build it again. */
export type LayerConfig = { [key: string]: unknown };

/**
 * Any module, whatever its forward takes and returns: the type of children, of the modules a
 * model file holds, and of what `apply` visits. (A plain `Module` is `Module<Tensor, Tensor>`.)
 */
// biome-ignore lint/suspicious/noExplicitAny: the widest module type; `never` would not admit subclasses with more inputs.
export type AnyModule = Module<any, any>;

/**
 * The base of every layer and model, after PyTorch's nn.Module: it owns parameters (trainable
 * tensors), buffers (state that is saved but not trained, like running statistics) and child
 * modules, each under a name; `stateDict()` names them with dotted paths ('0.weight', 'cell.bias').
 *
 * Parameters and buffers are kept out of every `tidy` and updated in place with `assign`, so a
 * parameter is the same tensor (the same autograd leaf, the same optimizer slot) for the life of
 * the module. `dispose()` frees them.
 *
 * `In` and `Out` type `forward`'s (first) input and its output, so that `model.forward(x)` needs no
 * cast: a plain `Module` maps a Tensor to a Tensor; a layer with another output says so
 * (`class LSTM extends Module<Tensor, LSTMResult>`). Layers with more inputs declare them in their
 * own `forward` (`forward(input: Tensor, target: Tensor)`).
 */
export abstract class Module<In = Tensor, Out = Tensor> {
  /** Training mode (dropout active, batch norm using batch statistics); see train()/eval(). */
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownChildren = new Map<string, AnyModule>();

  abstract forward(input: In, ...rest: never[]): Out;

  /** The constructor arguments, as JSON (model files store them). */
  config(): LayerConfig {
    return {};
  }

  // ---- registration (for subclasses) ----

  protected addParameter(name: string, t: Tensor): Tensor {
    this.checkName(name);
    keep(t);
    trackRegistered(t);
    t.requiresGrad = true;
    this.ownParameters.set(name, t);
    return t;
  }

  protected addBuffer(name: string, t: Tensor): Tensor {
    this.checkName(name);
    keep(t);
    trackRegistered(t);
    this.ownBuffers.set(name, t);
    return t;
  }

  protected addModule<M extends AnyModule>(name: string, m: M): M {
    this.checkName(name);
    if (!(m instanceof Module)) throw new ValueError(`addModule: '${name}' is not a Module`);
    this.ownChildren.set(name, m);
    return m;
  }

  private checkName(name: string): void {
    if (!name || name.includes('.'))
      throw new ValueError(`Module: invalid name '${name}' (non-empty, no dots)`);
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.ownChildren.has(name)) {
      throw new ValueError(`Module: '${name}' is already registered on ${this.constructor.name}`);
    }
  }

  // ---- traversal ----

  /** Child modules with their names (direct children only). */
  namedChildren(): [string, AnyModule][] {
    return [...this.ownChildren.entries()];
  }

  children(): AnyModule[] {
    return [...this.ownChildren.values()];
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [[prefix, this]];
    for (const [name, child] of this.ownChildren) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /** Every parameter, depth first: own ones, then each child's, with dotted names. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.ownParameters].map(([n, t]) => [join(prefix, n), t]);
    for (const [name, child] of this.ownChildren) out.push(...child.namedParameters(join(prefix, name)));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.ownBuffers].map(([n, t]) => [join(prefix, n), t]);
    for (const [name, child] of this.ownChildren) out.push(...child.namedBuffers(join(prefix, name)));
    return out;
  }

  /** Total number of trainable values. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  // ---- modes ----

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Sets `requiresGrad` on every parameter of this module and its descendants (torch's
   * `Module.requires_grad_`): false freezes them (autograd records nothing for them and optimizers
   * skip them, their gradient staying null), true makes them trainable again. Returns this.
   */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  /** Freezes every parameter: `requiresGrad_(false)`. Gradients already computed are dropped. */
  freeze(): this {
    this.zeroGrad();
    return this.requiresGrad_(false);
  }

  /** Makes every parameter trainable again: `requiresGrad_(true)`. */
  unfreeze(): this {
    return this.requiresGrad_(true);
  }

  /**
   * Calls `fn` on every descendant, then on this module (torch's `Module.apply`: children first,
   * each child's own children before it), e.g. to initialize weights. Returns this.
   */
  apply(fn: (m: AnyModule) => void): this {
    for (const child of this.ownChildren.values()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * A table of the model, as torchinfo's or Keras's summary: each module's path and class, its
   * output shape for `sampleInput` (when given; the forward runs under noGrad in eval mode, and
   * every tensor it makes is freed, the mode restored), its parameter count, and the total,
   * trainable and non-trainable parameter counts.
   */
  summary(sampleInput?: In, ...rest: unknown[]): string {
    return summarize(this, sampleInput === undefined ? null : [sampleInput, ...rest]);
  }

  // ---- state ----

  /** Parameters and buffers by dotted name (the live tensors, not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies `state` into this module's parameters and buffers (in place). Strict by default: a
   * missing or unexpected name is an error that lists them; a shape or dtype mismatch is always an
   * error naming the tensor.
   */
  loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const { strict = true } = options;
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      const parts = [];
      if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
      throw new ValueError(
        `loadStateDict: ${this.constructor.name} state does not match (${parts.join('; ')})`,
      );
    }
    for (const [name, target] of Object.entries(own)) {
      const value = state[name];
      if (!value) continue;
      if (value.shape.join() !== target.shape.join()) {
        throw new ShapeError(
          `loadStateDict: '${name}' has shape ${fmtShape(value.shape)} in the state dict but ${fmtShape(target.shape)} in the model`,
        );
      }
      if (value.dtype !== target.dtype) {
        throw new DTypeError(
          `loadStateDict: '${name}' has dtype ${value.dtype} in the state dict but ${target.dtype} in the model`,
        );
      }
    }
    tidy(() => {
      for (const [name, target] of Object.entries(own)) if (state[name]) assign(target, state[name]);
    });
  }

  /** Frees every parameter and buffer of this module and its descendants. */
  dispose(): void {
    for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
      t.grad = null;
      t.dispose();
    }
  }

  toString(): string {
    const lines = [`${this.constructor.name}(${summarizeConfig(this.config())})`];
    for (const [name, child] of this.ownChildren) {
      lines.push(`  (${name}): ${child.toString().split('\n').join('\n  ')}`);
    }
    return lines.join('\n');
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function summarizeConfig(c: LayerConfig): string {
  return Object.entries(c)
    .filter(([, v]) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}
