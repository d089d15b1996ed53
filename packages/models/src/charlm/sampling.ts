/**
 * Drawing the next token from a language model's logits, shared by `CharLM.generate` and
 * `TransformerLM.generate`: temperature scaling, an optional top-k cut, then one multinomial draw
 * from an explicit generator, so that a seeded generation replays exactly. Kept apart from the
 * models because both families sample the same way and the option checks should read the same.
 */
import {
  checkNumber,
  checkOptions,
  checkPositiveInt,
  describeValue,
  div,
  Generator,
  lt,
  maskedFill,
  multinomial,
  narrow,
  softmax,
  type Tensor,
  topk,
  ValueError,
} from '@axon/tensor';

export interface GenerateOptions {
  /** New tokens to draw (a positive integer). */
  length: number;
  /** Logits are divided by it before the softmax: < 1 sharpens, > 1 flattens (default 1; > 0). */
  temperature?: number;
  /** Draw only among the k most likely tokens (default: all of them). */
  topK?: number;
  /** Where the draws come from (default: a new Generator(0), so an unseeded call is reproducible too). */
  generator?: Generator;
}

/** {@link GenerateOptions}, checked, with defaults filled in. */
export interface SamplingConfig {
  length: number;
  temperature: number;
  topK: number | null;
  generator: Generator;
}

/** Checks `generate`'s prompt (non-empty token ids in [0, vocabSize)) and returns it as numbers. */
export function checkPrompt(owner: string, prompt: unknown, vocabSize: number): number[] {
  const ids =
    ArrayBuffer.isView(prompt) || Array.isArray(prompt) ? Array.from(prompt as ArrayLike<number>) : null;
  if (ids === null || ids.length === 0) {
    throw new ValueError(
      `${owner}: expected prompt to be a non-empty array of token ids, got ${describeValue(prompt)}`,
    );
  }
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new ValueError(
        `${owner}: expected prompt[${i}] to be a token id in [0, ${vocabSize}), got ${describeValue(id)}`,
      );
    }
  });
  return ids;
}

/** Checks `generate`'s options against the vocabulary size. */
export function checkSampling(owner: string, options: unknown, vocabSize: number): SamplingConfig {
  const o = checkOptions(owner, options);
  const length = checkPositiveInt(owner, 'length', o.length);
  const temperature = checkNumber(owner, 'temperature', o.temperature ?? 1, { min: 0, exclusiveMin: true });
  let topK: number | null = null;
  if (o.topK !== undefined) {
    topK = checkPositiveInt(owner, 'topK', o.topK);
    if (topK > vocabSize) {
      throw new ValueError(`${owner}: expected topK in [1, ${vocabSize}] (the vocabulary size), got ${topK}`);
    }
  }
  if (o.generator !== undefined && !(o.generator instanceof Generator)) {
    throw new ValueError(`${owner}: expected generator to be a Generator, got ${describeValue(o.generator)}`);
  }
  return { length, temperature, topK, generator: (o.generator as Generator | undefined) ?? new Generator(0) };
}

/**
 * The next token for each row of `logits` [B, V]: softmax(logits / temperature), restricted to
 * the `topK` largest logits when set (ties at the k-th value are kept), one draw per row.
 * Returns int32 [B].
 */
export function sampleNext(logits: Tensor, config: SamplingConfig): Tensor {
  let scaled = config.temperature === 1 ? logits : div(logits, config.temperature);
  if (config.topK !== null && config.topK < logits.shape[1]) {
    const kth = narrow(topk(scaled, config.topK).values, 1, config.topK - 1, 1);
    scaled = maskedFill(scaled, lt(scaled, kth), Number.NEGATIVE_INFINITY);
  }
  const next = multinomial(softmax(scaled, -1), 1, { generator: config.generator });
  return next.reshape([logits.shape[0]]);
}
