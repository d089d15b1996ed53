/**
 * Character-level text corpora: a sorted character vocabulary, encode/decode, a train/val split
 * and shuffled batches of (input, next-character target) windows for language models.
 */
import {
  checkPositiveInt,
  defaultGenerator,
  describeValue,
  Generator,
  randomUint32,
  type Tensor,
  tensor,
  ValueError,
} from '@axon/tensor';
import { packageDataPath, readTextFile } from './files';

/** One batch of token windows: `x` int32 [B, T] and `y` int32 [B, T], `y` = `x` shifted by one. */
export interface TokenBatch {
  x: Tensor;
  y: Tensor;
}

export interface WindowOptions {
  /** Windows per batch (default 32). */
  batchSize?: number;
  /** Shuffle the window order every epoch (default true). */
  shuffle?: boolean;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Distance between the starts of successive windows (default `seqLen`: windows do not overlap). */
  stride?: number;
  /** Seed of a private generator for the shuffle (ignored when `generator` is given). */
  seed?: number;
  /** The generator for the shuffle; default: a new one from `seed`, else the default generator. */
  generator?: Generator;
}

/**
 * Batches of windows cut from a token-id sequence: window k starts at `k * stride` and holds
 * `seqLen` ids; its target holds the `seqLen` ids one position later. Iterating (sync or async)
 * runs one epoch; each epoch reshuffles the windows with the seeded generator, so a given seed
 * replays the same batches. `length` is the number of batches per epoch. Async iteration yields
 * to the event loop between batches. The caller owns (and disposes) the tensors it receives.
 */
export class TokenWindows implements Iterable<TokenBatch>, AsyncIterable<TokenBatch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly stride: number;
  /** Number of windows in one epoch. */
  readonly numWindows: number;
  private readonly generator: Generator;

  constructor(
    readonly ids: Int32Array,
    readonly seqLen: number,
    options: WindowOptions = {},
  ) {
    const op = 'windows';
    if (!(ids instanceof Int32Array)) {
      throw new ValueError(`${op}: expected ids as an Int32Array, got ${describeValue(ids)}`);
    }
    checkPositiveInt(op, 'seqLen', seqLen);
    this.batchSize = options.batchSize ?? 32;
    checkPositiveInt(op, 'batchSize', this.batchSize);
    this.stride = options.stride ?? seqLen;
    checkPositiveInt(op, 'stride', this.stride);
    this.shuffle = options.shuffle ?? true;
    this.dropLast = options.dropLast ?? false;
    if (ids.length < seqLen + 1) {
      throw new ValueError(
        `${op}: a window of seqLen=${seqLen} needs at least ${seqLen + 1} ids (inputs plus the shifted target), got ${ids.length}`,
      );
    }
    this.numWindows = Math.floor((ids.length - seqLen - 1) / this.stride) + 1;
    if (options.seed !== undefined && !Number.isInteger(options.seed)) {
      throw new ValueError(`${op}: seed must be an integer, got ${options.seed}`);
    }
    this.generator =
      options.generator ?? (options.seed !== undefined ? new Generator(options.seed) : defaultGenerator());
    if (this.dropLast && this.numWindows < this.batchSize) {
      throw new ValueError(
        `${op}: dropLast with batchSize=${this.batchSize} leaves no batch: only ${this.numWindows} windows`,
      );
    }
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast
      ? Math.floor(this.numWindows / this.batchSize)
      : Math.ceil(this.numWindows / this.batchSize);
  }

  /** The window order of the next epoch (a permutation of 0..numWindows-1, or the identity). */
  private epochOrder(): Uint32Array {
    const n = this.numWindows;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (!this.shuffle) return order;
    const { seed, offset } = this.generator.take(n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor((randomUint32(seed, offset + i) / 4294967296) * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private makeBatch(order: Uint32Array, from: number, to: number): TokenBatch {
    const b = to - from;
    const t = this.seqLen;
    const x = new Int32Array(b * t);
    const y = new Int32Array(b * t);
    for (let r = 0; r < b; r++) {
      const start = order[from + r] * this.stride;
      x.set(this.ids.subarray(start, start + t), r * t);
      y.set(this.ids.subarray(start + 1, start + 1 + t), r * t);
    }
    return {
      x: tensor(x, { dtype: 'int32', shape: [b, t] }),
      y: tensor(y, { dtype: 'int32', shape: [b, t] }),
    };
  }

  *[Symbol.iterator](): Iterator<TokenBatch> {
    const order = this.epochOrder();
    const batches = this.length;
    for (let k = 0; k < batches; k++) {
      const from = k * this.batchSize;
      yield this.makeBatch(order, from, Math.min(from + this.batchSize, this.numWindows));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TokenBatch> {
    let first = true;
    for (const batch of this) {
      if (!first) await yieldToEventLoop();
      first = false;
      yield batch;
    }
  }
}

/**
 * A character-level corpus: the vocabulary is the set of distinct characters (Unicode code
 * points) of the text, sorted by code point, so ids are stable for a given text.
 */
export class CharCorpus {
  /** The vocabulary: `chars[id]` is the character with that id. */
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;
  private cachedIds: Int32Array | undefined;

  constructor(readonly text: string) {
    if (typeof text !== 'string')
      throw new ValueError(`CharCorpus: expected a string, got ${describeValue(text)}`);
    if (text.length === 0) throw new ValueError('CharCorpus: the text is empty');
    const set = new Set<string>();
    for (const ch of text) set.add(ch);
    this.chars = [...set].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
    this.index = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** Reads a UTF-8 text file (Node only). */
  static async fromFile(path: string): Promise<CharCorpus> {
    const text = await readTextFile('CharCorpus.fromFile', path);
    if (text.length === 0) throw new ValueError(`CharCorpus.fromFile: '${path}' is empty`);
    return new CharCorpus(text);
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  /** The id of one character (throws for a character outside the vocabulary). */
  charId(ch: string): number {
    const id = this.index.get(ch);
    if (id === undefined) {
      throw new ValueError(`CharCorpus.charId: ${JSON.stringify(ch)} is not in the vocabulary`);
    }
    return id;
  }

  /** The whole text, encoded (computed once). */
  get ids(): Int32Array {
    this.cachedIds ??= this.encode(this.text);
    return this.cachedIds;
  }

  /** Encodes a string; a character outside the vocabulary is an error naming it and its position. */
  encode(s: string): Int32Array {
    if (typeof s !== 'string')
      throw new ValueError(`CharCorpus.encode: expected a string, got ${describeValue(s)}`);
    const out = new Int32Array(s.length);
    let n = 0;
    for (const ch of s) {
      const id = this.index.get(ch);
      if (id === undefined) {
        throw new ValueError(
          `CharCorpus.encode: character ${JSON.stringify(ch)} at position ${n} is not in the vocabulary (${this.vocabSize} chars)`,
        );
      }
      out[n++] = id;
    }
    return n === out.length ? out : out.slice(0, n);
  }

  /** Decodes ids (an array, a typed array, or an integer tensor of any shape, read flat). */
  decode(ids: ArrayLike<number> | Tensor): string {
    const values: ArrayLike<number> = isTensor(ids) ? ids.dataSync() : ids;
    if (values == null || typeof values.length !== 'number') {
      throw new ValueError(
        `CharCorpus.decode: expected an array of ids or a tensor, got ${describeValue(ids)}`,
      );
    }
    const parts: string[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const id = values[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new ValueError(
          `CharCorpus.decode: id ${id} at position ${i} is out of range: expected an integer in [0, ${this.vocabSize})`,
        );
      }
      parts[i] = this.chars[id];
    }
    return parts.join('');
  }

  /** The first `fraction` of the encoded text is `train`, the rest `val` (nanoGPT's split). */
  split(fraction = 0.9): { train: Int32Array; val: Int32Array } {
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
      throw new ValueError(`CharCorpus.split: fraction must be in (0, 1), got ${fraction}`);
    }
    const ids = this.ids;
    const cut = Math.floor(ids.length * fraction);
    return { train: ids.subarray(0, cut), val: ids.subarray(cut) };
  }

  /** Batches of (x [B, T], y [B, T]) windows over `ids`; see {@link TokenWindows}. */
  windows(ids: Int32Array, seqLen: number, options: WindowOptions = {}): TokenWindows {
    if (ids instanceof Int32Array) {
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || ids[i] >= this.vocabSize) {
          throw new ValueError(
            `windows: id ${ids[i]} at position ${i} is out of range: expected [0, ${this.vocabSize})`,
          );
        }
      }
    }
    return new TokenWindows(ids, seqLen, options);
  }
}

/**
 * Karpathy's tiny-shakespeare (1,115,394 characters, 65 distinct), as shipped in this package's
 * `data/tinyshakespeare/input.txt` (Node only); `path` reads another copy.
 */
export async function tinyShakespeare(options: { path?: string } = {}): Promise<CharCorpus> {
  const path = options.path ?? (await packageDataPath('tinyShakespeare', 'tinyshakespeare/input.txt'));
  return CharCorpus.fromFile(path);
}

function isTensor(v: unknown): v is Tensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Tensor).dataSync === 'function' &&
    Array.isArray((v as Tensor).shape)
  );
}

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
