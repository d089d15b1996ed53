/**
 * Raw text to a binary tree, for `predict` on a sentence that has no parse: the text is split into
 * PTB-like tokens (as in the Treebank: "doesn't" → "does n't", "film's" → "film 's", punctuation
 * apart, brackets as -LRB- / -RRB-) and the tokens are joined right-branching,
 * (w1 (w2 (… (wn-1 wn)))). English parses lean right, so this is the usual fallback when no parser
 * is at hand; a real parse (as the Treebank's) gives the composition better constituents.
 */
import { describeValue, ValueError } from '@axon/tensor';
import type { SentimentTree } from './plan';

const BRACKETS: Record<string, string> = {
  '(': '-LRB-',
  ')': '-RRB-',
  '[': '-LSB-',
  ']': '-RSB-',
  '{': '-LCB-',
  '}': '-RCB-',
};

/** PTB-like tokens of `text`. */
export function tokenize(text: string): string[] {
  if (typeof text !== 'string')
    throw new ValueError(`tokenize: expected a string, got ${describeValue(text)}`);
  const out: string[] = [];
  for (const chunk of text.split(/\s+/)) {
    // Words (with inner apostrophes, hyphens, dots as in "u.s." or "3.5"), or single punctuation.
    for (const piece of chunk.match(/[\p{L}\p{N}]+(?:['’.\-/][\p{L}\p{N}]+)*|\.\.\.|--|[^\s\p{L}\p{N}]/gu) ??
      []) {
      const clitic = piece.match(/^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/i);
      if (clitic) out.push(clitic[1], clitic[2]);
      else out.push(BRACKETS[piece] ?? piece);
    }
  }
  return out;
}

/** The right-branching binary tree over `words` (every label `label`, default 2: neutral). */
export function rightBranching(words: readonly string[], label = 2): SentimentTree {
  if (!Array.isArray(words) || words.length === 0) {
    throw new ValueError(`rightBranching: expected a non-empty array of words, got ${describeValue(words)}`);
  }
  let tree: SentimentTree = { label, word: words[words.length - 1] };
  for (let i = words.length - 2; i >= 0; i--) tree = { label, left: { label, word: words[i] }, right: tree };
  return tree;
}

/** `rightBranching(tokenize(text))`, or an error naming `owner` when the text has no tokens. */
export function binarize(owner: string, text: string): SentimentTree {
  const words = tokenize(text);
  if (words.length === 0)
    throw new ValueError(`${owner}: expected text with at least one word, got ${JSON.stringify(text)}`);
  return rightBranching(words);
}
