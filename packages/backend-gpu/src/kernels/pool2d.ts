import { type KernelFunc, kernels, type PoolGeometry, poolGeometry, type TensorInfo } from '@axon/tensor';
import type { GpuBackend } from '../backend';
import { indexCode, kernelSource, lit } from '../codegen';

/*
 * Pooling with one thread per output element (forward) or per input element (backward). Max and
 * min are two programs, one for the values and one for the int32 indices, as gpu.js kernels have
 * one output. Window bounds are inlined literals, so the cells in padding are skipped by
 * comparisons and a loop's bound is the kernel size (or, backward, the number of windows that can
 * hold a cell: ceil(k / s) per axis).
 */

/**
 * Statements giving `divisor`, what the average of the window at output (oh, ow) = (`ohVar`,
 * `owVar`) divides by: the window clipped to the padded image with countIncludePad (torch's rule),
 * else the number of its real cells.
 */
function divisorCode(g: PoolGeometry, countIncludePad: boolean, ohVar: string, owVar: string): string {
  const L = lit;
  const hs = `(${ohVar} * ${L(g.sH)} - ${L(g.pT)})`;
  const ws = `(${owVar} * ${L(g.sW)} - ${L(g.pL)})`;
  if (countIncludePad) {
    return `const divisor = (Math.min(${hs} + ${L(g.kH)}, ${L(g.h + g.pB)}) - ${hs}) * (Math.min(${ws} + ${L(g.kW)}, ${L(g.w + g.pR)}) - ${ws});`;
  }
  return `const divisor = (Math.min(${hs} + ${L(g.kH)}, ${L(g.h)}) - Math.max(${hs}, 0.0)) * (Math.min(${ws} + ${L(g.kW)}, ${L(g.w)}) - Math.max(${ws}, 0.0));`;
}

/**
 * The max/min program: visits the window's real cells in row-major order from its first real
 * cell, and takes a cell that beats the best so far strictly or is NaN, exactly as the CPU kernel
 * does (ties keep the first cell; a NaN wins). Returns the value, or with `returnIndex` the flat
 * h * W + w position of the winner in its plane.
 */
function extremumSource(g: PoolGeometry, isMax: boolean, returnIndex: boolean): string {
  const L = lit;
  const beats = isMax ? 'v > best' : 'v < best';
  return kernelSource(
    ['x'],
    `${indexCode([g.n * g.c, g.oH, g.oW])}
  const base = c0 * ${L(g.h * g.w)};
  const hs = c1 * ${L(g.sH)} - ${L(g.pT)};
  const ws = c2 * ${L(g.sW)} - ${L(g.pL)};
  const first = Math.max(hs, 0.0) * ${L(g.w)} + Math.max(ws, 0.0);
  let best = x[base + first];
  let at = first;
  for (let kh = 0; kh < ${g.kH}; kh++) {
    const ih = hs + kh;
    if (ih >= 0.0 && ih < ${L(g.h)}) {
      for (let kw = 0; kw < ${g.kW}; kw++) {
        const iw = ws + kw;
        if (iw >= 0.0 && iw < ${L(g.w)}) {
          const v = x[base + ih * ${L(g.w)} + iw];
          if (${beats} || v != v) {
            best = v;
            at = ih * ${L(g.w)} + iw;
          }
        }
      }
    }
  }
  return ${returnIndex ? 'at' : 'best'};`,
  );
}

function averageSource(g: PoolGeometry, countIncludePad: boolean): string {
  const L = lit;
  return kernelSource(
    ['x'],
    `${indexCode([g.n * g.c, g.oH, g.oW])}
  const base = c0 * ${L(g.h * g.w)};
  const hs = c1 * ${L(g.sH)} - ${L(g.pT)};
  const ws = c2 * ${L(g.sW)} - ${L(g.pL)};
  let s = 0.0;
  for (let kh = 0; kh < ${g.kH}; kh++) {
    const ih = hs + kh;
    if (ih >= 0.0 && ih < ${L(g.h)}) {
      let row = 0.0;
      for (let kw = 0; kw < ${g.kW}; kw++) {
        const iw = ws + kw;
        if (iw >= 0.0 && iw < ${L(g.w)}) {
          row += x[base + ih * ${L(g.w)} + iw];
        }
      }
      s += row;
    }
  }
  ${divisorCode(g, countIncludePad, 'c1', 'c2')}
  return s / divisor;`,
  );
}

export const pool2DKernel: KernelFunc<kernels.Pool2DAttrs, GpuBackend> = ({
  inputs: [x],
  attrs,
  backend,
}) => {
  const g = poolGeometry(x.shape, attrs);
  const outShape = [g.n, g.c, g.oH, g.oW];
  const loopMax = Math.max(g.kH, g.kW);
  if (attrs.mode === 'avg') {
    return backend.run({ source: averageSource(g, attrs.countIncludePad), loopMax }, [x], outShape, x.dtype);
  }
  const isMax = attrs.mode === 'max';
  const values = backend.run({ source: extremumSource(g, isMax, false), loopMax }, [x], outShape, x.dtype);
  const indices = backend.run({ source: extremumSource(g, isMax, true), loopMax }, [x], outShape, 'int32');
  return [values, indices];
};

/**
 * One thread per input cell (h, w): it visits the windows that can hold it, oh from
 * ceil((h + pT − kH + 1) / sH) up (at most ceil(kH / sH) of them), likewise ow, in the CPU
 * kernel's order, and adds dy where the window's winner is this cell (max/min) or dy / divisor
 * (avg).
 */
export const pool2DBackwardKernel: KernelFunc<kernels.Pool2DBackwardAttrs, GpuBackend> = ({
  inputs,
  attrs,
  backend,
}) => {
  const dy = inputs[0];
  const g = poolGeometry(attrs.inputShape, attrs);
  const L = lit;
  const isAvg = attrs.mode === 'avg';
  const nH = Math.ceil(g.kH / g.sH);
  const nW = Math.ceil(g.kW / g.sW);
  const add = isAvg
    ? `${divisorCode(g, attrs.countIncludePad, 'oh', 'ow')}
            acc += dy[o] / divisor;`
    : `if (idx[o] == self) {
              acc += dy[o];
            }`;
  const body = `${indexCode([g.n * g.c, g.h, g.w])}
  const self = c1 * ${L(g.w)} + c2;
  const dyBase = c0 * ${L(g.oH * g.oW)};
  const oh0 = Math.floor((c1 + ${L(g.pT - g.kH + 1 + g.sH - 1)} + 0.5) / ${L(g.sH)});
  const ow0 = Math.floor((c2 + ${L(g.pL - g.kW + 1 + g.sW - 1)} + 0.5) / ${L(g.sW)});
  let acc = 0.0;
  for (let jh = 0; jh < ${nH}; jh++) {
    const oh = oh0 + jh;
    if (oh >= 0.0 && oh < ${L(g.oH)} && oh * ${L(g.sH)} - ${L(g.pT)} <= c1) {
      for (let jw = 0; jw < ${nW}; jw++) {
        const ow = ow0 + jw;
        if (ow >= 0.0 && ow < ${L(g.oW)} && ow * ${L(g.sW)} - ${L(g.pL)} <= c2) {
          const o = dyBase + oh * ${L(g.oW)} + ow;
          ${add}
        }
      }
    }
  }
  return acc;`;
  const params = isAvg ? ['dy'] : ['dy', 'idx'];
  const args: TensorInfo[] = isAvg ? [dy] : [dy, inputs[1]];
  return backend.run(
    { source: kernelSource(params, body), loopMax: Math.max(nH, nW) },
    args,
    attrs.inputShape,
    dy.dtype,
  );
};

export const pool2DConfig = { kernelName: kernels.Pool2D, kernelFunc: pool2DKernel };
export const pool2DBackwardConfig = { kernelName: kernels.Pool2DBackward, kernelFunc: pool2DBackwardKernel };
