/**
 * The oracle's fixture schema (see fixtures/README.md and ../shared/oracle/README.md) and its
 * parser. No Node imports: the browser harness uses it too (runner.ts reads the files).
 */

export interface FixtureTensor {
  shape: number[];
  dtype: 'float64' | 'int64' | 'bool';
  /** Flat, row-major. Non-finite values may appear (see `parseFixtureText`). */
  data: number[];
  layout?: string;
}

export type TensorMap = Record<string, FixtureTensor>;

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface FixtureCase {
  id: string;
  /** 'op' for most groups; 'optimizer' and 'grad_clip' for the optimizer work. */
  kind: string;
  op: string;
  torch?: string;
  formula?: string;
  hyper?: Record<string, unknown>;
  inputs?: TensorMap;
  params?: TensorMap;
  outputs?: TensorMap;
  aux_outputs?: TensorMap;
  backward?: boolean;
  R?: TensorMap;
  grads?: TensorMap;
  tolerance: Tolerance;
  edge?: boolean;
  notes?: string;
  /** Other kinds (optimizers) carry more fields; custom mappings read them. */
  [extra: string]: unknown;
}

export interface FixtureFile {
  schema_version: number;
  group: string;
  torch_version?: string;
  cases: FixtureCase[];
}

/**
 * Parses a fixture file. Python's json module writes non-finite floats as bare `NaN`, `Infinity`
 * and `-Infinity`, which JSON.parse rejects; they are quoted first and turned back into numbers
 * (the committed fixtures have none, but a regenerated or salted set may).
 */
export function parseFixtureText(text: string): FixtureFile {
  const quoted = text.replace(/(?<=[[,:]\s*)(-?Infinity|NaN)(?=\s*[\],}])/g, '"$1"');
  // Only array elements are converted back, so a string field that happens to read "NaN" survives.
  return JSON.parse(quoted, (key, value) =>
    /^\d+$/.test(key) && (value === 'NaN' || value === 'Infinity' || value === '-Infinity')
      ? Number(value)
      : value,
  ) as FixtureFile;
}
