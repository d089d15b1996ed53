// inspectModelFile: a model file's header and checksum status, read without rebuilding the model
// (what `axon info` shows), for intact, damaged, format-1 and non-Axon files.
import { inspectModelFile, Linear, ModelFileError, ReLU, Sequential, toBytes } from '@axon/layers';
import { describe, expect, it } from 'vitest';

const bytesOf = () => toBytes(new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2)));

describe('inspectModelFile', () => {
  it('reads the header and finds the checksum intact', () => {
    const bytes = bytesOf();
    const info = inspectModelFile(bytes, 'm.axon');
    expect(info.checksum).toBe('ok');
    expect(info.storedChecksum).toBe(info.actualChecksum);
    expect(info.header.version).toBe(2);
    expect(info.header.model.type).toBe('Sequential');
    expect(info.header.tensors.map((t) => t.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(info.byteLength).toBe(bytes.length);
    expect(info.expectedLength).toBe(bytes.length);
  });

  it('reports a changed weight byte as a checksum mismatch instead of throwing', () => {
    const bytes = bytesOf();
    bytes[bytes.length - 10] ^= 0xff;
    const info = inspectModelFile(bytes, 'm.axon');
    expect(info.checksum).toBe('mismatch');
    expect(info.storedChecksum).not.toBe(info.actualChecksum);
  });

  it('says a format-1 file has no checksum', () => {
    const v2 = bytesOf();
    const headerLength = new DataView(v2.buffer).getUint32(4, true);
    const json = new TextDecoder()
      .decode(v2.subarray(8, 8 + headerLength))
      .replace('"version":2', '"version":1');
    const header = new TextEncoder().encode(json);
    const v1 = new Uint8Array(v2.length - 4);
    v1.set(v2.subarray(0, v2.length - 4));
    v1.set(header, 8);
    const info = inspectModelFile(v1, 'old.axon');
    expect(info.checksum).toBe('absent');
    expect(info.header.version).toBe(1);
    expect(info.expectedLength).toBe(v1.length);
  });

  it('refuses a file that is not an Axon model, naming it', () => {
    expect(() => inspectModelFile(new TextEncoder().encode('hello world'), 'notes.txt')).toThrow(
      ModelFileError,
    );
    expect(() => inspectModelFile(new TextEncoder().encode('hello world'), 'notes.txt')).toThrow(
      /^notes\.txt: not an Axon model file/,
    );
  });
});
