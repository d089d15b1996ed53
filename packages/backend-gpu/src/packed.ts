/**
 * Packed intermediates for the GL modes: a matrix as a texture of RGBA texels, four float32 values
 * of a row in each texel. A kernel reads it with `fetch_<arg>(u, v)`, a native GLSL function that
 * samples the texel at texture coordinates it computes once per row: four values per fetch and
 * no per-value index arithmetic, where gpu.js's own reads of a tensor (one value per texel, a
 * flat index turned into a texel position by integer division) pay that arithmetic on every
 * value. That arithmetic and the fetch count, not the multiply-adds, are most of what a
 * one-value-per-fetch matrix product costs on a GL device.
 *
 * Tensors themselves stay one value per texel (every other kernel reads them that way): a kernel
 * that gains from packing packs its inputs (`pack`), computes four outputs per thread into a
 * packed texture, and hands that over as a tensor whose values are read from the texture by the
 * next elementwise chain, or unpacked when something else needs them (GpuBackend.fromBlocks).
 * Packing copies the inputs, so it pays off where each value is read many times (matrix products,
 * convolutions).
 *
 * Row y of a packed matrix holds its columns 4q…4q+3 in texels q = 0…⌈cols/4⌉−1, zeros past the
 * last column. The zeros make a product's ragged edge (k not a multiple of 4) sum right without
 * branches. Rows go top to bottom in a tile as tall as the texture (at most its maximum side,
 * even), and tiles side by side (`Tiling`), so a matrix of many short rows still fits.
 */
import type { TensorInfo } from '@axon/tensor';
import type { Texture } from 'gpu.js';
import type { GpuBackend } from './backend';
import { indexCode, kernelSource, lit } from './codegen';

/** Texels per row of a packed matrix with `cols` columns. */
export function texelsPerRow(cols: number): number {
  return Math.ceil(cols / 4);
}

/** Where the rows of a packed matrix lie in its texture: tiles of `height` rows, side by side. */
export interface Tiling {
  rows: number;
  texelsPerRow: number;
  /** Rows per tile: all rows when they fit, else the texture's maximum side (even, so row pairs stay together). */
  height: number;
  tiles: number;
  /** The texture's size in texels: tiles · texelsPerRow wide, `height` (at least 2) tall. */
  width: number;
  textureHeight: number;
}

/** A packed matrix on the device. */
export interface Packed {
  texture: Texture;
  tiling: Tiling;
}

/**
 * The tiling of `rows` rows of `texelsPerRow` texels on a device whose textures are at most
 * `maxSide` texels a side, or null where they do not fit.
 */
export function tile(rows: number, texelsPerRow: number, maxSide: number): Tiling | null {
  const height = rows <= maxSide ? rows : maxSide - (maxSide % 2);
  const tiles = Math.ceil(rows / height);
  const width = tiles * texelsPerRow;
  if (width > maxSide || rows < 1 || texelsPerRow < 1) return null;
  // gpu.js lays out an output of one row ([w, 1]) as a near-square texture, where texel (x, 0)
  // is not at (x, 0): a spare row, never read, keeps it a true [w, 2].
  return { rows, texelsPerRow, height, tiles, width, textureHeight: Math.max(2, height) };
}

/**
 * Statements that place row `row` (a float expression) of a tiled matrix named `name`: its
 * texture coordinates `v_<name>` (of the row's centre) and `u0_<name>` (of its first texel's
 * left edge, in texels: add `q + 0.5` and scale with `uScale`).
 */
export function placeRow(name: string, row: string, t: Tiling): string {
  const v = (y: string) => `(${y} + 0.5) * ${lit(1 / t.textureHeight)}`;
  if (t.tiles === 1) return `const u0_${name} = 0.0;\n  const v_${name} = ${v(row)};`;
  return [
    `const t_${name} = Math.floor((${row} + 0.5) / ${lit(t.height)});`,
    `const u0_${name} = t_${name} * ${lit(t.texelsPerRow)};`,
    `const v_${name} = ${v(`${row} - t_${name} * ${lit(t.height)}`)};`,
  ].join('\n  ');
}

/** The texture coordinate u of texel `q` (an expression) of a row placed by `placeRow`. */
export function rowTexelU(name: string, q: string, t: Tiling): string {
  return `(u0_${name} + ${q} + 0.5) * ${lit(1 / t.width)}`;
}

/** The coordinate v of the row after the one placed by `placeRow` (row pairs never straddle tiles). */
export function nextRowV(name: string, t: Tiling): string {
  return `v_${name} + ${lit(1 / t.textureHeight)}`;
}

/**
 * Statements that give a thread of a kernel writing the tiled texture `t` its texel: `q` (the
 * texel within the row) and `row` (the matrix row), both floats.
 */
export function threadTexel(t: Tiling): string {
  if (t.tiles === 1) return 'const q = this.thread.x + 0.0;\n  const row = this.thread.y + 0.0;';
  return [
    `const tile = Math.floor((this.thread.x + 0.5) / ${lit(t.texelsPerRow)});`,
    `const q = this.thread.x - tile * ${lit(t.texelsPerRow)};`,
    `const row = tile * ${lit(t.height)} + this.thread.y;`,
  ].join('\n  ');
}

/** How a pack kernel reads the matrix it packs. */
export interface PackReader {
  cols: number;
  /** Statements run once per thread for its `row` (a float < rows); they may define names `read` uses. */
  row: string;
  /** A condition on the row under which its values are read (zeros otherwise), e.g. a padding row. */
  rowValid?: string;
  /** Statements that set `target` to column `col` (a float expression) of the row, or leave it 0. */
  read: (col: string, target: string) => string;
  /** The kernel's parameter names (its inputs, in order). */
  params: readonly string[];
}

/** A kernel with one thread per texel that packs the rows the reader reads into the tiling `t`. */
export function packKernel(r: PackReader, t: Tiling): string {
  const reads: string[] = [];
  for (let c = 0; c < 4; c++) {
    const read = r.read(`q * 4.0 + ${lit(c)}`, `v${c}`);
    // Only the last texel of a row can run past the last column.
    const ragged = r.cols % 4 !== 0 && c >= r.cols % 4;
    reads.push(ragged ? `if (q < ${lit(t.texelsPerRow - 1)}) { ${read} }` : read);
  }
  const guarded = r.rowValid ? [`if (${r.rowValid}) {`, ...reads.map((l) => `  ${l}`), '}'] : reads;
  const body = [
    threadTexel(t),
    'let v0 = 0.0;',
    'let v1 = 0.0;',
    'let v2 = 0.0;',
    'let v3 = 0.0;',
    `if (row < ${lit(t.rows)}) {`,
    ...[...r.row.split('\n'), ...guarded].map((l) => `  ${l.trim()}`),
    '}',
    'return [v0, v1, v2, v3];',
  ];
  return kernelSource(r.params, body.join('\n  '));
}

/**
 * The reader of a strided matrix of tensor `x`: `paddedRows` rows per batch entry (zeros past
 * `rows`), and the tensor's element strides along the batch dims, rows and columns.
 */
export function stridedReader(s: {
  batch: readonly number[];
  batchStrides: readonly number[];
  rows: number;
  paddedRows: number;
  cols: number;
  rowStride: number;
  colStride: number;
}): PackReader {
  return {
    cols: s.cols,
    row: indexCode([...s.batch, s.paddedRows], { x: [...s.batchStrides, s.rowStride] }, 'row'),
    rowValid: s.paddedRows > s.rows ? `c${s.batch.length} < ${lit(s.rows)}` : undefined,
    read: (col, target) => `${target} = x[o_x + (${col}) * ${lit(s.colStride)}];`,
    params: ['x'],
  };
}

/**
 * Packs the rows the reader reads from `inputs` (`rows` of them, padding rows included), or
 * returns null where the packed texture would not fit the device.
 */
export function pack(
  backend: GpuBackend,
  reader: PackReader,
  rows: number,
  inputs: readonly TensorInfo[],
): Packed | null {
  const t = tile(rows, texelsPerRow(reader.cols), backend.maxTextureSide());
  if (!t) return null;
  const texture = backend.runPacked({ source: packKernel(reader, t) }, inputs, [t.width, t.textureHeight]);
  return { texture, tiling: t };
}

/**
 * The native GLSL function `fetch_<arg>(u, v)`: the texel of the packed texture argument `arg` at
 * texture coordinates (u, v) (a texel's centre), read by gpu.js's name for the argument
 * (`user_<arg>`). gpu.js's textures are sampled nearest, so a centre reads exactly one texel.
 */
export function fetchFunction(arg: string, webgl2: boolean): { name: string; source: string } {
  const name = `fetch_${arg}`;
  const sample = webgl2 ? 'texture' : 'texture2D';
  return {
    name,
    source: `vec4 ${name}(float u, float v) {\n  return ${sample}(user_${arg}, vec2(u, v));\n}`,
  };
}
