import { describe, expect, it } from 'vitest';
import { decodeImagePack, encodeImagePack } from '../src/data/image_pack';

const pack = {
  count: 3,
  rows: 2,
  cols: 2,
  trainCount: 2,
  pixels: Uint8Array.from({ length: 12 }, (_, i) => i * 20),
  labels: Uint8Array.from([7, 0, 9]),
};

describe('image packs', () => {
  it('round-trip', () => {
    expect(decodeImagePack(encodeImagePack(pack))).toEqual(pack);
  });

  it('reject other bytes, naming the problem', () => {
    const bytes = encodeImagePack(pack);
    expect(() => decodeImagePack(Uint8Array.from([1, 2, 3]))).toThrow(/not an image pack/);
    expect(() => decodeImagePack(bytes.subarray(0, bytes.length - 1))).toThrow(/should be 39 bytes, got 38/);
    expect(() => encodeImagePack({ ...pack, labels: new Uint8Array(2) })).toThrow(
      /expected 12 pixels and 3 labels/,
    );
  });
});
