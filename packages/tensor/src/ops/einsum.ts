/**
 * torch.einsum for equations without ellipsis, composed from views, Transpose, Slice, Reduce and
 * MatMul, so the GEMM kernels do the work and autograd differentiates it. The plan:
 * 1. a letter repeated within one operand (`ii`) takes that operand's diagonal: the two dims are
 *    moved last, merged, and sliced with step n + 1;
 * 2. a letter that no other operand and not the output needs is summed out of its operand;
 * 3. operands are contracted left to right; for each pair the letters are classified as batch
 *    (in both, still needed), contracted (in both, not needed later), or free (in one), the two
 *    are permuted and reshaped to [batch, M, K] and [batch, K, N], and one batched matmul does it;
 * 4. the result is permuted into the output order.
 */
import { promoteTypes } from '../dtype';
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors';
import type { Tensor } from '../tensor';
import { cast } from './elementwise';
import { matmul } from './matmul';
import { slice } from './movement';
import { sum } from './reduce';
import { permute, reshape } from './shape';
import { assertTensor, describe, op } from './util';

interface Operand {
  t: Tensor;
  letters: string[];
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Moves the dims named by `order` (each once) into that order. */
function arrange(o: Operand, order: readonly string[]): Tensor {
  return permute(
    o.t,
    order.map((c) => o.letters.indexOf(c)),
  );
}

/** Replaces each letter repeated within the operand by one dim: the diagonal. */
function takeDiagonals(o: Operand): Operand {
  let { t, letters } = o;
  for (;;) {
    const c = letters.find((l, i) => letters.indexOf(l) !== i);
    if (c === undefined) return { t, letters };
    const p = letters.indexOf(c);
    const q = letters.indexOf(c, p + 1);
    const rest = letters.map((_, i) => i).filter((i) => i !== p && i !== q);
    const n = t.shape[p];
    const moved = reshape(permute(t, [...rest, p, q]), [...rest.map((i) => t.shape[i]), n * n]);
    t = slice(
      moved,
      moved.shape.map(() => 0),
      undefined,
      moved.shape.map((_, d) => (d === moved.rank - 1 ? n + 1 : 1)),
    );
    letters = [...rest.map((i) => letters[i]), c];
  }
}

/** Sums out the letters of `o` that are not in `keep`. */
function sumOut(o: Operand, keep: ReadonlySet<string>): Operand {
  const axes = o.letters.map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return o;
  return { t: sum(o.t, axes), letters: o.letters.filter((c) => keep.has(c)) };
}

/** Contracts two operands, keeping the letters in `keep`, with one batched matmul. */
function contract(a: Operand, b: Operand, keep: ReadonlySet<string>, size: Map<string, number>): Operand {
  const inB = new Set(b.letters);
  const inA = new Set(a.letters);
  const batch = a.letters.filter((c) => inB.has(c) && keep.has(c));
  const contracted = a.letters.filter((c) => inB.has(c) && !keep.has(c));
  const freeA = a.letters.filter((c) => !inB.has(c));
  const freeB = b.letters.filter((c) => !inA.has(c));
  const sz = (cs: readonly string[]) => cs.map((c) => size.get(c) as number);
  const [nb, m, k, n] = [prod(sz(batch)), prod(sz(freeA)), prod(sz(contracted)), prod(sz(freeB))];
  const a3 = reshape(arrange(a, [...batch, ...freeA, ...contracted]), [nb, m, k]);
  const b3 = reshape(arrange(b, [...batch, ...contracted, ...freeB]), [nb, k, n]);
  const letters = [...batch, ...freeA, ...freeB];
  return { t: reshape(matmul(a3, b3), sz(letters)), letters };
}

/**
 * Einstein summation: `einsum('ij,jk->ik', a, b)` is a matmul, `'ii->'` a trace, `'ii->i'` a
 * diagonal, `'bhqd,bhkd->bhqk'` attention scores. Without `->` the output is every letter that
 * appears exactly once, in alphabetical order. Letters are a-z and A-Z; ellipsis is not supported.
 */
export const einsum = op((equation: string, ...operands: Tensor[]): Tensor => {
  if (typeof equation !== 'string') {
    throw new ValueError(`einsum: expected the equation to be a string, got ${describe(equation)}`);
  }
  const bad = (msg: string) => new ValueError(`einsum: equation '${equation}': ${msg}`);
  const badShape = (msg: string) => new ShapeError(`einsum: equation '${equation}': ${msg}`);
  operands.forEach((t, i) => {
    assertTensor('einsum', t, `operands[${i}]`);
  });
  const eq = equation.replace(/\s+/g, '');
  if (eq.includes('.')) throw bad('ellipsis (...) is not supported; name every dimension with a letter');
  const sides = eq.split('->');
  if (sides.length > 2) throw bad("expected at most one '->'");
  const terms = sides[0].split(',');
  if (terms.length !== operands.length) {
    throw bad(`has ${terms.length} input term(s) but ${operands.length} operand(s) were given`);
  }
  const size = new Map<string, number>();
  const count = new Map<string, number>();
  terms.forEach((term, i) => {
    for (const c of term) {
      if (!/^[a-zA-Z]$/.test(c))
        throw bad(`invalid character '${c}' in term '${term}' (use letters a-z, A-Z)`);
    }
    const t = operands[i];
    if (term.length !== t.rank) {
      throw badShape(
        `term '${term}' names ${term.length} dim(s), but operand ${i} has rank ${t.rank} (shape ${fmtShape(t.shape)})`,
      );
    }
    [...term].forEach((c, d) => {
      const prev = size.get(c);
      if (prev !== undefined && prev !== t.shape[d]) {
        throw badShape(
          `index '${c}' has size ${prev} and ${t.shape[d]} (operand ${i} has shape ${fmtShape(t.shape)})`,
        );
      }
      size.set(c, t.shape[d]);
      count.set(c, (count.get(c) ?? 0) + 1);
    });
  });
  let output: string[];
  if (sides.length === 2) {
    output = [...sides[1]];
    output.forEach((c, i) => {
      if (!/^[a-zA-Z]$/.test(c)) throw bad(`invalid character '${c}' in the output '${sides[1]}'`);
      if (!size.has(c)) throw bad(`output index '${c}' does not appear in any input term`);
      if (output.indexOf(c) !== i) throw bad(`output index '${c}' appears more than once`);
    });
  } else {
    output = [...count.keys()].filter((c) => count.get(c) === 1).sort();
  }
  if (operands.some((t) => t.dtype === 'bool')) {
    throw new DTypeError(
      `einsum: equation '${equation}': bool operands are not supported, got ${operands.map((t) => t.dtype).join(', ')}`,
    );
  }
  const dtype = operands.map((t) => t.dtype).reduce(promoteTypes);
  let ops: Operand[] = operands.map((t, i) => takeDiagonals({ t: cast(t, dtype), letters: [...terms[i]] }));
  const outSet = new Set(output);
  // Sum out what only one operand has and the output does not need.
  ops = ops.map((o, i) => {
    const keep = new Set(
      o.letters.filter((c) => outSet.has(c) || ops.some((p, j) => j !== i && p.letters.includes(c))),
    );
    return sumOut(o, keep);
  });
  let acc = ops[0];
  for (let i = 1; i < ops.length; i++) {
    const keep = new Set(output);
    for (const o of ops.slice(i + 1)) for (const c of o.letters) keep.add(c);
    acc = contract(acc, ops[i], keep, size);
  }
  acc = sumOut(acc, outSet);
  return arrange(acc, output);
});
