import { grad } from '@axon/autograd';
import { add, mul, sum, type Tensor, tensor, tidy } from '@axon/tensor';
import { MissingExport } from './api';
import { compareValues, describeMismatch } from './compare';
import type { FixtureCase, FixtureFile, FixtureTensor, TensorMap, Tolerance } from './fixture';
import {
  type CaseContext,
  type CustomMapping,
  type GroupMappings,
  type Mapping,
  type OpMapping,
  Unsupported,
} from './mapping';
import { MAPPINGS } from './ops';

/** The oracle's tolerance for most cases, for a case that carries none. */
export const DEFAULT_TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

export type CaseStatus = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  id: string;
  group: string;
  op: string;
  status: CaseStatus;
  /** For a failure: one line per offending tensor (or the error thrown). */
  problems: string[];
  /** For a skip: why (no mapping, a missing export, or something the API cannot express). */
  skipReason?: string;
  /** For a run case: the largest error over all compared tensors, as a fraction of its tolerance. */
  worstRatio?: number;
  edge: boolean;
}

export interface RunFixturesOptions {
  /** Only cases whose id contains this. */
  filter?: string;
  /** Mappings to use instead of the built-in table (tests). */
  mappings?: Record<string, GroupMappings>;
  /** Receives each case as it finishes (the CLI prints from here). */
  onCase?: (result: CaseResult) => void;
  /** Factors on every case's {rtol, atol} (a backend's allowance, e.g. the GPU's per-mode table). */
  toleranceScale?: Tolerance;
}

export interface RunSummary {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** The fixture op names of skipped cases, each once, in the order met. */
  skippedOps: string[];
}

/** Runs every case of already parsed fixture files, in order (no file system: also runs in a browser). */
export function runFixtures(fixtures: readonly FixtureFile[], options: RunFixturesOptions = {}): RunSummary {
  const table = options.mappings ?? MAPPINGS;
  const results: CaseResult[] = [];
  for (const fixture of fixtures) {
    for (const c of fixture.cases) {
      if (options.filter && !c.id.includes(options.filter)) continue;
      const result = runCase(c, fixture.group, table[fixture.group]?.[c.op], options.toleranceScale);
      results.push(result);
      options.onCase?.(result);
    }
  }
  return summarize(results);
}

export function summarize(results: CaseResult[]): RunSummary {
  const count = (s: CaseStatus) => results.filter((r) => r.status === s).length;
  const skippedOps = [...new Set(results.filter((r) => r.status === 'skip').map((r) => r.op))];
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip'), skippedOps };
}

/** The last line of a run: `N passed, N failed, N skipped`. */
export function formatSummary(s: Pick<RunSummary, 'passed' | 'failed' | 'skipped'>): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
}

/** The line above it: `skipped ops: a, b, c` (or `skipped ops: none`). */
export function formatSkippedOps(s: Pick<RunSummary, 'skippedOps'>): string {
  return `skipped ops: ${s.skippedOps.length ? s.skippedOps.join(', ') : 'none'}`;
}

/**
 * Runs one case; never throws (an exception from the op is a failure, a missing export a skip).
 * `toleranceScale` multiplies the case's tolerance (default: 1 and 1).
 */
export function runCase(
  c: FixtureCase,
  group: string,
  mapping: Mapping | undefined,
  toleranceScale?: Tolerance,
): CaseResult {
  const base = { id: c.id, group, op: c.op, edge: c.edge === true, problems: [] as string[] };
  if (!mapping)
    return { ...base, status: 'skip', skipReason: `no mapping for op '${c.op}' in group '${group}'` };
  try {
    const { problems, worstRatio } = tidy(() => {
      const checks = new CaseChecks(c, scaleTolerance(c.tolerance ?? DEFAULT_TOLERANCE, toleranceScale));
      if ('check' in mapping) checkCustom(checks, mapping.check);
      else checkOp(checks, mapping);
      return checks;
    });
    return { ...base, status: problems.length ? 'fail' : 'pass', problems, worstRatio };
  } catch (e) {
    if (isSkip(e)) return { ...base, status: 'skip', skipReason: e.message };
    return { ...base, status: 'fail', problems: [`threw ${describeError(e)}`] };
  }
}

/** Inputs and params as tensors: float data in float32, int64 as int32, bool as bool. */
function buildTensors(c: FixtureCase): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries({ ...c.inputs, ...c.params })) out[name] = toTensor(t);
  return out;
}

export function toTensor(t: FixtureTensor): Tensor {
  const dtype = t.dtype === 'int64' ? 'int32' : t.dtype === 'bool' ? 'bool' : 'float32';
  return tensor(t.data, { shape: t.shape, dtype });
}

function scaleTolerance(t: Tolerance, scale: Tolerance | undefined): Tolerance {
  return scale ? { rtol: t.rtol * scale.rtol, atol: t.atol * scale.atol } : t;
}

function contextOf(c: FixtureCase, t: Record<string, Tensor>): CaseContext {
  return { case: c, hyper: c.hyper ?? {}, t };
}

/** The comparisons and problems of one case. */
class CaseChecks {
  readonly problems: string[] = [];
  worstRatio = 0;

  constructor(
    readonly c: FixtureCase,
    readonly tolerance: Tolerance,
  ) {}

  compare(label: string, actual: Tensor, golden: FixtureTensor): void {
    const cmp = compareValues(actual.dataSync(), actual.shape, golden, this.tolerance);
    this.worstRatio = Math.max(this.worstRatio, cmp.maxRatio);
    if (!cmp.ok) this.problems.push(`${label}: ${describeMismatch(cmp)}`);
  }

  /**
   * Runs one stage of the case. An exception becomes a problem (so a failing backward still shows
   * how the forward did), except the two that mean "skip the case", which go on up. Returns whether
   * the stage ran to the end.
   */
  stage(label: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (isSkip(e)) throw e;
      this.problems.push(`${label} threw ${describeError(e)}`);
      return false;
    }
  }
}

/** Forward outputs and aux outputs, then (for backward cases) the gradients of L. */
function checkOp(checks: CaseChecks, mapping: OpMapping): void {
  const { c } = checks;
  const inputs = buildTensors(c);
  const forwardRan = checks.stage('forward', () => {
    const got = mapping.forward(contextOf(c, inputs));
    for (const [name, golden] of Object.entries(c.outputs ?? {})) {
      const actual = got[name];
      if (!actual) checks.problems.push(`output '${name}': the mapping returned no such output`);
      else checks.compare(`output '${name}'`, actual, golden);
    }
    for (const [name, golden] of Object.entries(c.aux_outputs ?? {})) {
      if (got[name]) checks.compare(`aux output '${name}'`, got[name], golden);
    }
  });
  const gradNames = Object.keys(c.grads ?? {});
  // After a forward that threw, the backward pass would only repeat the error.
  if (!forwardRan || c.backward === false || gradNames.length === 0) return;

  checks.stage('backward', () => {
    const missing = gradNames.filter((n) => !inputs[n]);
    if (missing.length) throw new Error(`grads given for unknown inputs: ${missing.join(', ')}`);
    const R = tensorsOf(c.R ?? {});
    // L = Σ_k sum(out_k ⊙ R_k), as a function of the tensors that have a golden gradient.
    const loss = (...leaves: Tensor[]): Tensor => {
      const t = { ...inputs };
      for (const [i, n] of gradNames.entries()) t[n] = leaves[i];
      const outs = mapping.forward(contextOf(c, t));
      let L: Tensor | undefined;
      for (const [k, r] of Object.entries(R)) {
        if (!outs[k]) throw new Error(`the mapping returned no output '${k}' (named in R)`);
        const term = sum(mul(outs[k], r));
        L = L ? add(L, term) : term;
      }
      if (!L) throw new Error('the case has grads but no R');
      return L;
    };
    const grads = grad(loss)(...gradNames.map((n) => inputs[n]));
    for (const [i, n] of gradNames.entries()) checks.compare(`grad '${n}'`, grads[i], c.grads![n]);
  });
}

function checkCustom(checks: CaseChecks, run: CustomMapping['check']): void {
  checks.stage('check', () => {
    for (const { name, actual, golden } of run(contextOf(checks.c, buildTensors(checks.c)))) {
      checks.compare(name, actual, golden);
    }
  });
}

function isSkip(e: unknown): e is MissingExport | Unsupported {
  return e instanceof MissingExport || e instanceof Unsupported;
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function tensorsOf(map: TensorMap): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, toTensor(v)]));
}
