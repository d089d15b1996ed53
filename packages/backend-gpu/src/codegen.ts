/**
 * Helpers that write kernel source. Kernels run one thread per output element and read their
 * inputs as flat arrays, so most of the work is turning the thread's flat index into offsets.
 * Shapes and strides are inlined as literals: a kernel is specialised to its shapes (and cached
 * by its source), and gpu.js sees no runtime-sized loops.
 *
 * Integer arithmetic runs in float32 on the GL backends, so every division by a stride is done
 * as floor((i + 0.5) / s) followed by a ±1 correction: exact for every index below 2^24, the
 * largest buffer the backend accepts (float32 holds every integer up to there).
 */

import { stridesOf } from '@axon/tensor';

/**
 * The longest loop a kernel writes as one `for`; longer ones become two nested loops. Some GL
 * stacks cap a loop's iterations (headless-gl's ANGLE stops at 65535), and gpu.js's
 * loopMaxIterations must cover every single loop's bound.
 */
export const LOOP_LIMIT = 16384;

/** A number as a float literal gpu.js reads as a float (1 → '1.0'). */
export function lit(x: number): string {
  if (Number.isNaN(x)) return '(0.0 / 0.0)';
  if (x === Number.POSITIVE_INFINITY) return '(1.0 / 0.0)';
  if (x === Number.NEGATIVE_INFINITY) return '(-1.0 / 0.0)';
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/**
 * Statements that split the thread index over `shape` into coordinates `c0, c1, ...` (as floats)
 * and, for each named input, its offset `o_<name> = Σ c_d * inputStrides[d]`. The index split is
 * `flat`: the thread's (a 1-D output's), or another float expression. `prefix` goes before every
 * name it declares (`rest`, `c0`, ...), so one kernel can split an index more than one way.
 */
export function indexCode(
  shape: readonly number[],
  inputs: Record<string, readonly number[]> = {},
  flat = 'this.thread.x',
  prefix = '',
): string {
  const outStrides = stridesOf(shape);
  const rest = `${prefix}rest`;
  const c = (d: number) => `${prefix}c${d}`;
  const lines = [`let ${rest} = ${flat} + 0.0;`];
  for (let d = 0; d < shape.length; d++) {
    if (d === shape.length - 1) lines.push(`const ${c(d)} = ${rest};`);
    else {
      const st = lit(outStrides[d]);
      // The floor can be off by one where float32 rounds (i + 0.5) / s (above 2^23): correct it.
      lines.push(`let ${c(d)} = Math.floor((${rest} + 0.5) / ${st});`);
      lines.push(
        `if (${c(d)} * ${st} > ${rest}) { ${c(d)} = ${c(d)} - 1.0; } else if ((${c(d)} + 1.0) * ${st} <= ${rest}) { ${c(d)} = ${c(d)} + 1.0; }`,
      );
      lines.push(`${rest} = ${rest} - ${c(d)} * ${st};`);
    }
  }
  for (const [name, st] of Object.entries(inputs)) {
    const terms = st.map((s, d) => (s === 0 ? '' : `${c(d)} * ${lit(s)}`)).filter((t) => t !== '');
    lines.push(`const ${prefix}o_${name} = ${terms.length ? terms.join(' + ') : '0.0'};`);
  }
  return lines.join('\n  ');
}

/** `for` over `n` steps with the float step number in `name`, split in two loops above LOOP_LIMIT. */
export function forLoop(name: string, n: number): { open: string; close: string } {
  if (n <= LOOP_LIMIT)
    return { open: `for (let ${name} = 0; ${name} < ${n}; ${name}++) {\n  `, close: '}\n  ' };
  const outer = Math.ceil(n / LOOP_LIMIT);
  return {
    open:
      `for (let ${name}q = 0; ${name}q < ${outer}; ${name}q++) {\n  ` +
      `for (let ${name}s = 0; ${name}s < ${LOOP_LIMIT}; ${name}s++) {\n  ` +
      `const ${name} = ${name}q * ${lit(LOOP_LIMIT)} + ${name}s;\n  ` +
      `if (${name} < ${lit(n)}) {\n  `,
    close: '}\n  }\n  }\n  ',
  };
}

/** A kernel function's source from its parameter names and body. */
export function kernelSource(params: readonly string[], body: string): string {
  return `function (${params.join(', ')}) {\n  ${body}\n}`;
}

/**
 * The native GLSL function `own_<arg>()` (GL modes): the value of the one-value-per-texel texture
 * argument `arg` at the texel the fragment writes, for an input laid out like the output (as
 * large, so gpu.js gave it a texture of the same size). gpu.js's name for the argument is
 * `user_<arg>`.
 */
export function ownTexelFunction(arg: string, webgl2: boolean): { name: string; source: string } {
  const name = `own_${arg}`;
  const texel = webgl2
    ? `texelFetch(user_${arg}, ivec2(gl_FragCoord.xy), 0)`
    : `texture2D(user_${arg}, gl_FragCoord.xy / vec2(user_${arg}Size))`;
  return { name, source: `float ${name}() {\n  return ${texel}.r;\n}` };
}
