/**
 * Conv2d and ConvTranspose2d: ONNX's Conv and ConvTranspose take torch's weight layouts as they
 * are ([out, in/groups, kH, kW] and [in, out/groups, kH, kW]); only the padding is spelled out
 * per side ([top, left, bottom, right]).
 */
import type { Conv2d, ConvTranspose2d } from '@axon/layers';
import type { AttributeValue } from '../proto';
import type { LayerExporter } from '../registry';
import { pair, withImageBatch } from './util';

/** Conv's pads for torch's padding: symmetric, or 'same' (torch puts the odd cell at the end). */
function convPads(m: Conv2d): number[] {
  if (m.padding === 'valid') return [0, 0, 0, 0];
  if (m.padding === 'same') {
    const [kh, kw] = pair(m.kernelSize);
    const [dh, dw] = pair(m.dilation);
    const total = [dh * (kh - 1), dw * (kw - 1)];
    const begin = total.map((t) => Math.floor(t / 2));
    return [begin[0], begin[1], total[0] - begin[0], total[1] - begin[1]];
  }
  const [ph, pw] = pair(m.padding);
  return [ph, pw, ph, pw];
}

function common(m: Conv2d | ConvTranspose2d, pads: number[]): Record<string, AttributeValue> {
  return {
    kernel_shape: { ints: pair(m.kernelSize) },
    strides: { ints: pair(m.stride) },
    dilations: { ints: pair(m.dilation) },
    group: { i: m.groups },
    pads: { ints: pads },
  };
}

export const convExporters: Record<string, LayerExporter> = {
  Conv2d: (m: Conv2d, [x], ctx) => {
    const weights = [ctx.graph.param(m.weight), ...(m.bias ? [ctx.graph.param(m.bias)] : [])];
    const name = withImageBatch(ctx, x, (x4) => ctx.node('Conv', [x4, ...weights], common(m, convPads(m))));
    return { name, sample: m.forward(x.sample) };
  },
  ConvTranspose2d: (m: ConvTranspose2d, [x], ctx) => {
    const weights = [ctx.graph.param(m.weight), ...(m.bias ? [ctx.graph.param(m.bias)] : [])];
    const [ph, pw] = pair(m.padding);
    const attributes = { ...common(m, [ph, pw, ph, pw]), output_padding: { ints: pair(m.outputPadding) } };
    const name = withImageBatch(ctx, x, (x4) => ctx.node('ConvTranspose', [x4, ...weights], attributes));
    return { name, sample: m.forward(x.sample) };
  },
};
