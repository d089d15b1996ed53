import type { RgbImage } from './raster';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

let crcTable: Uint32Array | null = null;

function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The deflate of zlib (RFC 1950), e.g. node:zlib's deflateSync. */
export type Deflate = (data: Uint8Array) => Uint8Array;

/**
 * Encodes an RGB image as a PNG (8-bit truecolor, no interlace; each row with the Sub or Up
 * filter, whichever is smaller in absolute sum). `deflate` is zlib's deflate (node:zlib's
 * deflateSync in Node).
 */
export function encodePng(img: RgbImage, deflate: Deflate): Uint8Array {
  const { width, height, data } = img;
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  const sub = new Uint8Array(stride);
  const up = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    let sSub = 0;
    let sUp = 0;
    for (let i = 0; i < stride; i++) {
      const v = data[row + i];
      sub[i] = (v - (i >= 3 ? data[row + i - 3] : 0)) & 255;
      up[i] = (v - (y > 0 ? data[row - stride + i] : 0)) & 255;
      sSub += sub[i] < 128 ? sub[i] : 256 - sub[i];
      sUp += up[i] < 128 ? up[i] : 256 - up[i];
    }
    const o = y * (stride + 1);
    raw[o] = sUp < sSub ? 2 : 1;
    raw.set(sUp < sSub ? up : sub, o + 1);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolor RGB
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0))];
  const total = SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  out.set(SIGNATURE, 0);
  let at = SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 12);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}
