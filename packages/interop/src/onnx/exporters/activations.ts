/**
 * Activation layers. Most are one ONNX op; GELU, Softplus (with torch's beta and threshold) and
 * Step are composed from elementwise ops, which every opset in range has.
 */
import type { AnyModule, ELU, GELU, LeakyReLU, LogSoftmax, Softmax, Softplus } from '@axon/layers';
import type { Tensor } from '@axon/tensor';
import { ONNX_DTYPES } from '../proto';
import type { ExportContext, LayerExporter, Traced } from '../registry';

/** An exporter for a layer that is one ONNX op on its input. */
function unary(opType: string): LayerExporter {
  return (m: AnyModule, [x], ctx) => ({ name: ctx.node(opType, [x.name]), sample: m.forward(x.sample) });
}

/** A scalar constant of x's dtype. */
function scalar(ctx: ExportContext, x: Traced, value: number): string {
  return ctx.graph.scalar(value, x.sample.dtype, 'c');
}

/** 0.5·x·(1 + erf(x/√2)), or the tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function gelu(ctx: ExportContext, x: Traced, approximate: 'none' | 'tanh'): string {
  let inner: string;
  if (approximate === 'tanh') {
    const cube = ctx.node('Mul', [ctx.node('Mul', [x.name, x.name]), x.name]);
    const arg = ctx.node('Add', [x.name, ctx.node('Mul', [cube, scalar(ctx, x, 0.044715)])]);
    inner = ctx.node('Tanh', [ctx.node('Mul', [arg, scalar(ctx, x, Math.sqrt(2 / Math.PI))])]);
  } else {
    inner = ctx.node('Erf', [ctx.node('Mul', [x.name, scalar(ctx, x, Math.SQRT1_2)])]);
  }
  const half = ctx.node('Mul', [x.name, scalar(ctx, x, 0.5)]);
  return ctx.node('Mul', [half, ctx.node('Add', [inner, scalar(ctx, x, 1)])]);
}

/** torch's softplus: log(1 + exp(β·x))/β, and x itself where β·x > threshold. */
function softplus(ctx: ExportContext, x: Traced, beta: number, threshold: number): string {
  const bx = beta === 1 ? x.name : ctx.node('Mul', [x.name, scalar(ctx, x, beta)]);
  const sp = ctx.node('Softplus', [bx]);
  const smooth = beta === 1 ? sp : ctx.node('Div', [sp, scalar(ctx, x, beta)]);
  const linear = ctx.node('Greater', [bx, scalar(ctx, x, threshold)]);
  return ctx.node('Where', [linear, x.name, smooth]);
}

export const activationExporters: Record<string, LayerExporter> = {
  ReLU: unary('Relu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  LeakyReLU: (m: LeakyReLU, [x], ctx) => ({
    name: ctx.node('LeakyRelu', [x.name], { alpha: { f: m.negativeSlope } }),
    sample: m.forward(x.sample),
  }),
  ELU: (m: ELU, [x], ctx) => ({
    name: ctx.node('Elu', [x.name], { alpha: { f: m.alpha } }),
    sample: m.forward(x.sample),
  }),
  GELU: (m: GELU, [x], ctx) => ({ name: gelu(ctx, x, m.approximate), sample: m.forward(x.sample) }),
  Softplus: (m: Softplus, [x], ctx) => ({
    name: softplus(ctx, x, m.beta, m.threshold),
    sample: m.forward(x.sample),
  }),
  Softmax: (m: Softmax, [x], ctx) => ({
    name: ctx.node('Softmax', [x.name], { axis: { i: m.dim } }),
    sample: m.forward(x.sample),
  }),
  LogSoftmax: (m: LogSoftmax, [x], ctx) => ({
    name: ctx.node('LogSoftmax', [x.name], { axis: { i: m.dim } }),
    sample: m.forward(x.sample),
  }),
  // 1 where x > 0, else 0, in x's dtype.
  Step: (m: AnyModule, [x], ctx) => {
    const positive = ctx.node('Greater', [x.name, scalar(ctx, x, 0)]);
    const sample: Tensor = m.forward(x.sample);
    return { name: ctx.node('Cast', [positive], { to: { i: ONNX_DTYPES[sample.dtype] } }), sample };
  },
};
