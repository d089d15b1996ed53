import { noGrad } from '@axon/autograd';
import {
  cast,
  DTypeError,
  describeValue as describe,
  dispose,
  fmtShape,
  isFloat,
  keep,
  ShapeError,
  Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';

/** One group of parameters sharing options (`lr`, `momentum`, ...), as in torch's `param_groups`. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** A group as given to a constructor: its parameters and the options it overrides. */
export interface ParamGroupSpec {
  params: Tensor[];
  [option: string]: unknown;
}

/** What an optimizer is built over: a list of parameters, or a list of groups. */
export type Params = Tensor[] | ParamGroupSpec[];

/** One parameter's optimizer state: buffers (tensors, owned by the optimizer) and counters. */
export type ParamState = Record<string, Tensor | number>;

/**
 * `stateDict()`: the state keyed by parameter index (over all groups, in order) as a string, and
 * each group's options with `params` as the list of its parameters' indices (torch's layout).
 */
export interface OptimizerState {
  state: Record<string, ParamState>;
  paramGroups: Record<string, unknown>[];
}

/**
 * The base of every optimizer, after torch.optim.Optimizer. A subclass supplies its defaults, checks
 * a group's options (`validateGroup`) and updates one parameter (`update`); the base runs updates
 * under `noGrad` in a `tidy` per parameter, skips parameters whose `.grad` is null, and keeps the
 * per-parameter state.
 *
 * `O` is the type of a group's options (with `lr`).
 */
export abstract class Optimizer<O extends { lr: number } = { lr: number }> {
  paramGroups: (ParamGroup & O)[] = [];
  /** Per-parameter state (buffers and step counts), created on a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();
  /** The options a group gets when it does not override them. */
  readonly defaults: O;

  /**
   * @param name the class name, for error messages
   * @param options the constructor's options (undefined entries mean "the default")
   * @param defaults every option with its default; an option whose default is undefined is required
   */
  protected constructor(
    readonly name: string,
    params: Params,
    options: Partial<O> | undefined,
    defaults: { [K in keyof O]: O[K] | undefined },
  ) {
    if (
      options !== undefined &&
      (options === null || typeof options !== 'object' || Array.isArray(options))
    ) {
      throw new ValueError(`${name}: options must be an object, got ${describe(options)}`);
    }
    const allowed = Object.keys(defaults);
    for (const key of Object.keys(options ?? {})) {
      if (!allowed.includes(key)) {
        throw new ValueError(`${name}: unknown option '${key}' (expected one of ${allowed.join(', ')})`);
      }
    }
    const merged: Record<string, unknown> = { ...defaults };
    for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) merged[key] = value;
    this.defaults = merged as O;

    if (!Array.isArray(params)) {
      throw new ValueError(
        `${name}: params must be an array of Tensors or of parameter groups, got ${describe(params)}`,
      );
    }
    if (params.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    const groups: ParamGroupSpec[] =
      params[0] instanceof Tensor ? [{ params: params as Tensor[] }] : (params as ParamGroupSpec[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Checks one group's options (after defaults are filled in); throws ValueError naming the option. */
  protected abstract validateGroup(group: ParamGroup & O): void;

  /**
   * Updates one parameter whose gradient is `grad` (same shape and dtype), in place with `assign`.
   * Runs under `noGrad` inside a `tidy`; buffers stored in `state` must be `keep`-ed (see `buffer`).
   */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup & O): void;

  /** Adds a group of parameters; options it leaves out take the optimizer's defaults. */
  addParamGroup(spec: ParamGroupSpec): void {
    if (!spec || typeof spec !== 'object' || !Array.isArray(spec.params)) {
      throw new ValueError(
        `${this.name}: a parameter group must be an object with a 'params' array, got ${describe(spec)}`,
      );
    }
    const params = spec.params;
    if (params.length === 0) throw new ValueError(`${this.name}: a parameter group has no parameters`);
    const seen = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) {
        throw new ValueError(`${this.name}: parameter ${i} of a group is not a Tensor (got ${describe(p)})`);
      }
      if (p.isDisposed) throw new ValueError(`${this.name}: parameter ${i} of a group was disposed`);
      if (!isFloat(p.dtype)) {
        throw new DTypeError(
          `${this.name}: can only optimize float parameters, parameter ${i} is ${p.dtype}`,
        );
      }
      if (seen.has(p)) {
        throw new ValueError(`${this.name}: some parameters appear more than once (in one group or in two)`);
      }
      seen.add(p);
    }
    const group: Record<string, unknown> = { ...this.defaults };
    for (const [key, value] of Object.entries(spec)) {
      if (key !== 'params' && value !== undefined) group[key] = copyValue(value);
    }
    for (const [key, value] of Object.entries(group)) {
      if (value === undefined) throw new ValueError(`${this.name}: option '${key}' is required`);
    }
    group.params = [...params];
    const full = group as ParamGroup & O;
    this.validateGroup(full);
    this.paramGroups.push(full);
  }

  /** One optimization step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        this.validateGroup(group);
        for (const param of group.params) {
          const grad = param.grad;
          if (!grad) continue;
          this.checkGrad(param, grad);
          const existing = this.state.get(param);
          const state = existing ?? {};
          tidy(() => this.update(param, grad, state, group));
          if (!existing && Object.keys(state).length > 0) this.state.set(param, state);
        }
      }
    });
  }

  /** Clears every parameter's gradient (sets `.grad` to null, which frees it). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /**
   * The state (the optimizer's own buffers, not copies: like torch, they follow later steps) and
   * the groups' options. `loadStateDict` copies what it is given.
   */
  stateDict(): OptimizerState {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== 'params') out[key] = copyValue(value);
      out.params = group.params.map((p) => {
        index.set(p, next);
        return next++;
      });
      return out;
    });
    const state: Record<string, ParamState> = {};
    for (const [param, s] of this.state) {
      const i = index.get(param);
      if (i !== undefined) state[String(i)] = { ...s };
    }
    return { state, paramGroups };
  }

  /**
   * Restores a `stateDict()`: the groups' options, and copies of the state's tensors (cast to each
   * parameter's dtype). The groups must have as many parameters as this optimizer's, in order.
   */
  loadStateDict(stateDict: OptimizerState): void {
    const where = `${this.name}.loadStateDict`;
    if (!stateDict || typeof stateDict !== 'object' || !Array.isArray(stateDict.paramGroups)) {
      throw new ValueError(`${where}: expected {state, paramGroups}, got ${describe(stateDict)}`);
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new ValueError(
        `${where}: the state has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    for (const [i, group] of this.paramGroups.entries()) {
      const ids = saved[i]?.params;
      const n = Array.isArray(ids) ? ids.length : undefined;
      if (n !== group.params.length) {
        throw new ValueError(
          `${where}: parameter group ${i} has ${group.params.length} parameters, the state's has ${n ?? 'none'}`,
        );
      }
    }
    const state = new Map<Tensor, ParamState>();
    const error = (message: string): ValueError => {
      for (const s of state.values()) disposeState(s);
      return new ValueError(`${where}: ${message}`);
    };
    // Saved group i's parameter ids map, in order, onto this optimizer's group i.
    const byId = new Map<string, Tensor>();
    for (const [i, group] of this.paramGroups.entries()) {
      (saved[i].params as unknown[]).forEach((id, j) => {
        byId.set(String(id), group.params[j]);
      });
    }
    noGrad(() => {
      for (const [key, entry] of Object.entries(stateDict.state ?? {})) {
        const param = byId.get(key);
        if (!param) throw error(`state for parameter '${key}', which no parameter group lists`);
        const copy: ParamState = {};
        state.set(param, copy);
        for (const [name, value] of Object.entries(entry ?? {})) {
          if (typeof value === 'number') {
            copy[name] = value;
            continue;
          }
          if (!(value instanceof Tensor)) {
            throw error(`state '${key}'.${name} is neither a Tensor nor a number (${describe(value)})`);
          }
          if (value.isDisposed) throw error(`state '${key}'.${name} was disposed`);
          if (value.shape.join() !== param.shape.join()) {
            throw error(
              `state '${key}'.${name} has shape ${fmtShape(value.shape)}, its parameter ${fmtShape(param.shape)}`,
            );
          }
          copy[name] = keep(
            tidy(() => (value.dtype === param.dtype ? value.clone() : cast(value, param.dtype))),
          );
        }
      }
    });
    const groups = this.paramGroups.map((group, i) => {
      const next: Record<string, unknown> = { ...this.defaults };
      for (const [key, value] of Object.entries(saved[i])) if (key !== 'params') next[key] = copyValue(value);
      next.params = group.params;
      return next as ParamGroup & O;
    });
    try {
      for (const g of groups) this.validateGroup(g);
    } catch (e) {
      for (const s of state.values()) disposeState(s);
      throw e;
    }
    this.disposeState();
    for (const [p, s] of state) this.state.set(p, s);
    this.paramGroups = groups;
  }

  /** Frees the optimizer's buffers (its state); the parameters are untouched. */
  dispose(): void {
    this.disposeState();
  }

  /**
   * The state buffer `key` of a parameter, created with `init` (and kept) on first use. Update it
   * in place with `assign(buffer, newValue)`.
   */
  protected buffer(state: ParamState, key: string, init: () => Tensor): Tensor {
    const existing = state[key];
    if (existing instanceof Tensor) return existing;
    const created = keep(init());
    state[key] = created;
    return created;
  }

  /** Increments and returns the parameter's step count (1 on its first update). */
  protected nextStep(state: ParamState): number {
    const step = (typeof state.step === 'number' ? state.step : 0) + 1;
    state.step = step;
    return step;
  }

  private checkGrad(param: Tensor, grad: Tensor): void {
    if (grad.shape.join() !== param.shape.join()) {
      throw new ShapeError(
        `${this.name}: gradient of shape ${fmtShape(grad.shape)} for a parameter of shape ${fmtShape(param.shape)}`,
      );
    }
    if (grad.dtype !== param.dtype) {
      throw new DTypeError(`${this.name}: gradient of dtype ${grad.dtype} for a ${param.dtype} parameter`);
    }
  }

  private disposeState(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }
}

function disposeState(s: ParamState): void {
  dispose(Object.values(s).filter((v) => v instanceof Tensor));
}

/** A copy of an option value (arrays such as `betas` are copied, so groups never share them). */
function copyValue(v: unknown): unknown {
  return Array.isArray(v) ? v.map(copyValue) : v;
}

// ---- option checks (shared by the optimizers and schedules) ----

/** A finite number in [min, max] (bounds optional; `exclusiveMax` for e.g. betas < 1). */
export function checkNumber(
  where: string,
  key: string,
  value: unknown,
  range: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${where}: ${key} must be a finite number, got ${describe(value)}`);
  }
  const { min, max, exclusiveMin, exclusiveMax } = range;
  const low = min !== undefined && (exclusiveMin ? value <= min : value < min);
  const high = max !== undefined && (exclusiveMax ? value >= max : value > max);
  if (low || high) {
    const lo = min === undefined ? '(-inf' : `${exclusiveMin ? '(' : '['}${min}`;
    const hi = max === undefined ? 'inf)' : `${max}${exclusiveMax ? ')' : ']'}`;
    throw new ValueError(`${where}: ${key} must be in ${lo}, ${hi}, got ${value}`);
  }
  return value;
}

export function checkBoolean(where: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ValueError(`${where}: ${key} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

export function checkInteger(where: string, key: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ValueError(`${where}: ${key} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}
