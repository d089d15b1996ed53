/**
 * What `axon sample` writes for the language models: text continuing a prompt, to stdout. The
 * model draws each character from its softmax at a temperature (and among the `topK` likeliest,
 * if given) with the given generator, so one seed gives one text. The characters are
 * tiny-shakespeare's (the corpus the models train on); a prompt with another character is a
 * usage error that names it.
 */

import type { Module } from '@axon/layers';
import { CharLM, TransformerLM } from '@axon/models';
import type { Generator } from '@axon/tensor';
import { shakespeare } from './corpora';
import { UsageError } from './errors';

export interface TextRequest {
  prompt: string;
  /** New characters to draw. */
  length: number;
  temperature: number;
  topK?: number;
  generator: Generator;
}

export type TextSampler = (model: Module, request: TextRequest) => Promise<string>;

/** A char-LSTM's or a GPT's continuation of the prompt (the prompt not repeated). */
export const continuation: TextSampler = async (model, { prompt, length, temperature, topK, generator }) => {
  if (!(model instanceof CharLM || model instanceof TransformerLM)) {
    throw new TypeError(`expected a CharLM or a TransformerLM, got a ${model.constructor.name}`);
  }
  if (prompt.length === 0) throw new UsageError('sample --prompt: expected at least one character, got ""');
  const corpus = await shakespeare();
  const unknown = [...prompt].find((c) => !corpus.chars.includes(c));
  if (unknown !== undefined) {
    throw new UsageError(
      `sample --prompt: expected tiny-shakespeare's ${corpus.vocabSize} characters, got ${JSON.stringify(unknown)} in ${JSON.stringify(prompt)}`,
    );
  }
  const ids = model.generate(corpus.encode(prompt), { length, temperature, topK, generator });
  return corpus.decode(ids);
};
