/**
 * Chainable op methods on Tensor (`x.matmul(w).add(b).relu()`), each forwarding to the op of the
 * same name in `ops/`. Kept apart from tensor.ts so that the class stays small and the ops stay
 * plain functions.
 */
import type { DType } from './dtype';
import * as ops from './ops';
import type { Axes } from './ops/reduce';
import type { TensorLike } from './ops/util';
import { Tensor } from './tensor';

declare module './tensor' {
  interface Tensor {
    cast(dtype: DType): Tensor;
    clone(): Tensor;
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    eq(b: TensorLike): Tensor;
    ne(b: TensorLike): Tensor;
    lt(b: TensorLike): Tensor;
    le(b: TensorLike): Tensor;
    gt(b: TensorLike): Tensor;
    ge(b: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    square(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    sum(axes?: Axes, keepDims?: boolean): Tensor;
    mean(axes?: Axes, keepDims?: boolean): Tensor;
    max(axes?: Axes, keepDims?: boolean): Tensor;
    min(axes?: Axes, keepDims?: boolean): Tensor;
    argmax(axis?: number, keepDims?: boolean): Tensor;
    argmin(axis?: number, keepDims?: boolean): Tensor;
    var(axes?: Axes, options?: ops.VarianceOptions): Tensor;
    std(axes?: Axes, options?: ops.VarianceOptions): Tensor;
    logsumexp(axes?: Axes, keepDims?: boolean): Tensor;
    matmul(b: Tensor, options?: ops.MatMulOptions): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(axes?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    expand(shape: readonly number[]): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** The transpose of a matrix (the last two dims). */
    readonly T: Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    elu(alpha?: number): Tensor;
    gelu(approximate?: 'none' | 'tanh'): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    slice(
      starts: readonly (number | null)[],
      ends?: readonly (number | null)[],
      steps?: readonly number[],
    ): Tensor;
    narrow(axis: number, start: number, length: number): Tensor;
    split(sizeOrSections: number | readonly number[], axis?: number): Tensor[];
    chunk(chunks: number, axis?: number): Tensor[];
    pad(pads: readonly (readonly [number, number])[], value?: number): Tensor;
    gather(axis: number, index: Tensor): Tensor;
    indexSelect(axis: number, index: Tensor): Tensor;
    tile(reps: readonly number[]): Tensor;
    prod(axes?: Axes, keepDims?: boolean): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    erf(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    cumsum(axis: number): Tensor;
    norm(p?: number, axes?: Axes, keepDims?: boolean): Tensor;
    sort(options?: ops.SortOptions): ops.ValuesAndIndices;
    argsort(options?: ops.SortOptions): Tensor;
    topk(k: number, options?: ops.TopKOptions): ops.ValuesAndIndices;
    flip(axes: number | readonly number[]): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    repeat(repeats: readonly number[]): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    any(axes?: Axes, keepDims?: boolean): Tensor;
    all(axes?: Axes, keepDims?: boolean): Tensor;
    multinomial(numSamples: number, options?: ops.MultinomialOptions): Tensor;
  }
}

type Method = (this: Tensor, ...args: never[]) => Tensor | Tensor[] | ops.ValuesAndIndices;

const methods: Record<string, Method> = {
  cast(dtype: DType) {
    return ops.cast(this, dtype);
  },
  clone() {
    return ops.reshape(this, this.shape);
  },
  add(b: TensorLike) {
    return ops.add(this, b);
  },
  sub(b: TensorLike) {
    return ops.sub(this, b);
  },
  mul(b: TensorLike) {
    return ops.mul(this, b);
  },
  div(b: TensorLike) {
    return ops.div(this, b);
  },
  pow(b: TensorLike) {
    return ops.pow(this, b);
  },
  maximum(b: TensorLike) {
    return ops.maximum(this, b);
  },
  minimum(b: TensorLike) {
    return ops.minimum(this, b);
  },
  eq(b: TensorLike) {
    return ops.eq(this, b);
  },
  ne(b: TensorLike) {
    return ops.ne(this, b);
  },
  lt(b: TensorLike) {
    return ops.lt(this, b);
  },
  le(b: TensorLike) {
    return ops.le(this, b);
  },
  gt(b: TensorLike) {
    return ops.gt(this, b);
  },
  ge(b: TensorLike) {
    return ops.ge(this, b);
  },
  neg() {
    return ops.neg(this);
  },
  abs() {
    return ops.abs(this);
  },
  sign() {
    return ops.sign(this);
  },
  square() {
    return ops.square(this);
  },
  exp() {
    return ops.exp(this);
  },
  log() {
    return ops.log(this);
  },
  sqrt() {
    return ops.sqrt(this);
  },
  clamp(min?: number | null, max?: number | null) {
    return ops.clamp(this, min, max);
  },
  sum(axes?: Axes, keepDims?: boolean) {
    return ops.sum(this, axes, keepDims);
  },
  mean(axes?: Axes, keepDims?: boolean) {
    return ops.mean(this, axes, keepDims);
  },
  max(axes?: Axes, keepDims?: boolean) {
    return ops.max(this, axes, keepDims);
  },
  min(axes?: Axes, keepDims?: boolean) {
    return ops.min(this, axes, keepDims);
  },
  argmax(axis?: number, keepDims?: boolean) {
    return ops.argmax(this, axis, keepDims);
  },
  argmin(axis?: number, keepDims?: boolean) {
    return ops.argmin(this, axis, keepDims);
  },
  var(axes?: Axes, options?: ops.VarianceOptions) {
    return ops.variance(this, axes, options);
  },
  std(axes?: Axes, options?: ops.VarianceOptions) {
    return ops.std(this, axes, options);
  },
  logsumexp(axes?: Axes, keepDims?: boolean) {
    return ops.logsumexp(this, axes, keepDims);
  },
  matmul(b: Tensor, options?: ops.MatMulOptions) {
    return ops.matmul(this, b, options);
  },
  reshape(shape: readonly number[]) {
    return ops.reshape(this, shape);
  },
  flatten(startDim?: number, endDim?: number) {
    return ops.flatten(this, startDim, endDim);
  },
  squeeze(axes?: number | readonly number[]) {
    return ops.squeeze(this, axes);
  },
  unsqueeze(axis: number) {
    return ops.unsqueeze(this, axis);
  },
  expand(shape: readonly number[]) {
    return ops.expand(this, shape);
  },
  permute(dims: readonly number[]) {
    return ops.permute(this, dims);
  },
  transpose(dim0?: number, dim1?: number) {
    return ops.transpose(this, dim0, dim1);
  },
  relu() {
    return ops.relu(this);
  },
  sigmoid() {
    return ops.sigmoid(this);
  },
  tanh() {
    return ops.tanh(this);
  },
  leakyRelu(alpha?: number) {
    return ops.leakyRelu(this, alpha);
  },
  elu(alpha?: number) {
    return ops.elu(this, alpha);
  },
  gelu(approximate?: 'none' | 'tanh') {
    return ops.gelu(this, approximate);
  },
  softplus(beta?: number, threshold?: number) {
    return ops.softplus(this, beta, threshold);
  },
  softmax(axis?: number) {
    return ops.softmax(this, axis);
  },
  logSoftmax(axis?: number) {
    return ops.logSoftmax(this, axis);
  },
  slice(starts: readonly (number | null)[], ends?: readonly (number | null)[], steps?: readonly number[]) {
    return ops.slice(this, starts, ends, steps);
  },
  narrow(axis: number, start: number, length: number) {
    return ops.narrow(this, axis, start, length);
  },
  split(sizeOrSections: number | readonly number[], axis?: number) {
    return ops.split(this, sizeOrSections, axis);
  },
  chunk(chunks: number, axis?: number) {
    return ops.chunk(this, chunks, axis);
  },
  pad(pads: readonly (readonly [number, number])[], value?: number) {
    return ops.pad(this, pads, value);
  },
  gather(axis: number, index: Tensor) {
    return ops.gather(this, axis, index);
  },
  indexSelect(axis: number, index: Tensor) {
    return ops.indexSelect(this, axis, index);
  },
  tile(reps: readonly number[]) {
    return ops.tile(this, reps);
  },
  prod(axes?: Axes, keepDims?: boolean) {
    return ops.prod(this, axes, keepDims);
  },
  log1p() {
    return ops.log1p(this);
  },
  expm1() {
    return ops.expm1(this);
  },
  rsqrt() {
    return ops.rsqrt(this);
  },
  reciprocal() {
    return ops.reciprocal(this);
  },
  erf() {
    return ops.erf(this);
  },
  sin() {
    return ops.sin(this);
  },
  cos() {
    return ops.cos(this);
  },
  cumsum(axis: number) {
    return ops.cumsum(this, axis);
  },
  norm(p?: number, axes?: Axes, keepDims?: boolean) {
    return ops.norm(this, p, axes, keepDims);
  },
  sort(options?: ops.SortOptions) {
    return ops.sort(this, options);
  },
  argsort(options?: ops.SortOptions) {
    return ops.argsort(this, options);
  },
  topk(k: number, options?: ops.TopKOptions) {
    return ops.topk(this, k, options);
  },
  flip(axes: number | readonly number[]) {
    return ops.flip(this, axes);
  },
  tril(diagonal?: number) {
    return ops.tril(this, diagonal);
  },
  triu(diagonal?: number) {
    return ops.triu(this, diagonal);
  },
  repeat(repeats: readonly number[]) {
    return ops.repeat(this, repeats);
  },
  maskedFill(mask: Tensor, value: number | Tensor) {
    return ops.maskedFill(this, mask, value);
  },
  isnan() {
    return ops.isnan(this);
  },
  isfinite() {
    return ops.isfinite(this);
  },
  any(axes?: Axes, keepDims?: boolean) {
    return ops.any(this, axes, keepDims);
  },
  all(axes?: Axes, keepDims?: boolean) {
    return ops.all(this, axes, keepDims);
  },
  multinomial(numSamples: number, options?: ops.MultinomialOptions) {
    return ops.multinomial(this, numSamples, options);
  },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return ops.transpose(this);
  },
  configurable: true,
});
