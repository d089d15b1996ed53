import type { ConvGeometry } from '@axon/tensor';
import { lit as L } from '../codegen';

/**
 * The loops of a convolution's input gradient at input pixel (c2, c3) (coordinates from
 * `indexCode` over [n, c, h, w]): over the taps (kh, kw) and the output pixel (oh, ow) each one
 * came from, h + pT − kh·dH = oh·sH (a multiple of the stride, inside the output), and likewise
 * along w. `inner` runs for each such tap with kh, kw, oh, ow in scope.
 */
export function tapsThatMet(g: ConvGeometry, inner: string): string {
  return `for (let kh = 0; kh < ${g.kH}; kh++) {
    const th = c2 + ${L(g.pT)} - kh * ${L(g.dH)};
    const oh = Math.floor((th + 0.5) / ${L(g.sH)});
    if (th >= 0.0 && oh * ${L(g.sH)} == th && oh < ${L(g.oH)}) {
      for (let kw = 0; kw < ${g.kW}; kw++) {
        const tw = c3 + ${L(g.pL)} - kw * ${L(g.dW)};
        const ow = Math.floor((tw + 0.5) / ${L(g.sW)});
        if (tw >= 0.0 && ow * ${L(g.sW)} == tw && ow < ${L(g.oW)}) {
          ${inner.split('\n').join('\n          ')}
        }
      }
    }
  }`;
}
