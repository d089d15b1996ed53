/**
 * PTB-style labelled binary trees, as in the Stanford Sentiment Treebank: one tree per line,
 * `(label word)` for a leaf and `(label left right)` for an internal node, e.g.
 * `(3 (2 (2 The) (2 Rock)) (4 ...))`. Parsing is iterative (no recursion limit on depth).
 */
import { checkOneOf, checkPositiveInt, ValueError } from '@axon/tensor';
import { packageDataPath, readTextFile } from '../text/files';

/** A node: a leaf has `word`; an internal node has both `left` and `right`. */
export interface Tree {
  label: number;
  word?: string;
  left?: Tree;
  right?: Tree;
}

/** A malformed tree: the message names the file (if any), the line, the column and why. */
export class TreeParseError extends ValueError {
  override name = 'TreeParseError';
  constructor(
    message: string,
    readonly file: string | undefined,
    readonly line: number | undefined,
    readonly column: number,
    readonly reason: string,
  ) {
    super(message);
  }
}

export interface ParseLocation {
  /** File name used in error messages. */
  file?: string;
  /** 1-based line number used in error messages. */
  line?: number;
  /** The largest label allowed (e.g. 4 for SST); default: no limit. */
  maxLabel?: number;
}

interface Frame {
  label: number;
  children: Tree[];
  column: number;
}

// Only ASCII whitespace separates tokens: SST words may contain U+00A0 (e.g. "8\u00a01\/2").
const WS = /[ \t\n\r\f\v]/;

/**
 * Parses one bracketed tree. Labels must be non-negative integers; every internal node must
 * have exactly two children. Words are kept verbatim (e.g. `-LRB-`, `\/`), so
 * `treeToString(parseTree(s)) === s` for a line in the canonical format.
 */
export function parseTree(line: string, where: ParseLocation = {}): Tree {
  if (typeof line !== 'string') {
    throw new ValueError(`parseTree: expected a string, got ${line === null ? 'null' : typeof line}`);
  }
  const fail = (column: number, reason: string): never => {
    const loc =
      where.file !== undefined
        ? `${where.file}:${where.line ?? '?'}:${column + 1}`
        : where.line !== undefined
          ? `line ${where.line}, column ${column + 1}`
          : `column ${column + 1}`;
    throw new TreeParseError(`parseTree: ${loc}: ${reason}`, where.file, where.line, column + 1, reason);
  };
  const n = line.length;
  let i = 0;
  const skipWs = (): void => {
    while (i < n && WS.test(line[i])) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && line[i] !== '(' && line[i] !== ')' && !WS.test(line[i])) i++;
    return line.slice(start, i);
  };
  const stack: Frame[] = [];
  let root: Tree | undefined;
  skipWs();
  if (i >= n) fail(0, 'empty line: expected a tree starting with "("');
  while (true) {
    skipWs();
    if (i >= n) {
      if (stack.length > 0) {
        fail(n, `unbalanced brackets: ${stack.length} "(" not closed at the end of the line`);
      }
      break;
    }
    const c = line[i];
    if (root !== undefined)
      fail(i, `unexpected text after the tree: ${JSON.stringify(line.slice(i, i + 20))}`);
    if (c === '(') {
      const open = i;
      i++;
      skipWs();
      const labelCol = i;
      const labelText = readToken();
      if (labelText === '') fail(labelCol, 'missing label after "("');
      if (!/^\d+$/.test(labelText)) {
        fail(labelCol, `label must be a non-negative integer, got ${JSON.stringify(labelText)}`);
      }
      const frame: Frame = { label: Number(labelText), children: [], column: open };
      if (where.maxLabel !== undefined && frame.label > where.maxLabel) {
        fail(labelCol, `label ${frame.label} out of range: expected 0..${where.maxLabel}`);
      }
      skipWs();
      if (i < n && line[i] !== '(' && line[i] !== ')') {
        // A leaf: (label word)
        const wordCol = i;
        const word = readToken();
        skipWs();
        if (i >= n) fail(n, `unbalanced brackets: leaf opened at column ${open + 1} is not closed`);
        if (line[i] !== ')') {
          fail(i, `a leaf holds one word, found more after ${JSON.stringify(word)} (column ${wordCol + 1})`);
        }
        i++;
        const leaf: Tree = { label: frame.label, word };
        if (stack.length === 0) root = leaf;
        else addChild(stack[stack.length - 1], leaf, open);
      } else {
        stack.push(frame);
      }
    } else if (c === ')') {
      const frame = stack.pop();
      if (frame === undefined) fail(i, 'unbalanced brackets: ")" without a matching "("');
      const f = frame as Frame;
      if (f.children.length !== 2) {
        fail(
          f.column,
          f.children.length === 0
            ? 'node has neither a word nor children'
            : `node is not binary: expected 2 children, found ${f.children.length}`,
        );
      }
      const node: Tree = { label: f.label, left: f.children[0], right: f.children[1] };
      i++;
      if (stack.length === 0) root = node;
      else addChild(stack[stack.length - 1], node, f.column);
    } else {
      fail(i, `expected "(" but found ${JSON.stringify(readToken() || c)}`);
    }
  }
  if (root === undefined) fail(0, 'no tree found');
  return root as Tree;

  function addChild(parent: Frame, child: Tree, column: number): void {
    if (parent.children.length >= 2) {
      fail(column, `node is not binary: the node at column ${parent.column + 1} has more than 2 children`);
    }
    parent.children.push(child);
  }
}

/** Parses one tree per non-blank line of `text`; errors name `source` and the line number. */
export function parseTrees(text: string, source = '<text>', options: { maxLabel?: number } = {}): Tree[] {
  if (typeof text !== 'string') throw new ValueError(`parseTrees: expected a string, got ${typeof text}`);
  const lines = text.split('\n');
  const trees: Tree[] = [];
  for (let k = 0; k < lines.length; k++) {
    let line = lines[k];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (/^[ \t\r\f\v]*$/.test(line)) continue;
    trees.push(parseTree(line, { file: source, line: k + 1, maxLabel: options.maxLabel }));
  }
  return trees;
}

/** Reads a file of trees, one per line (Node only). Blank lines are skipped. */
export async function readTrees(path: string, options: { maxLabel?: number } = {}): Promise<Tree[]> {
  const text = await readTextFile('readTrees', path);
  const trees = parseTrees(text, path, options);
  if (trees.length === 0) throw new ValueError(`readTrees: '${path}' holds no trees`);
  return trees;
}

/** The canonical one-line text of a tree: `(label word)` / `(label left right)`. */
export function treeToString(tree: Tree): string {
  const out: string[] = [];
  const stack: (Tree | string)[] = [tree];
  while (stack.length > 0) {
    const item = stack.pop() as Tree | string;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    if (isLeaf(item)) {
      out.push(`(${item.label} ${item.word})`);
    } else {
      out.push(`(${item.label} `);
      stack.push(')', item.right as Tree, ' ', item.left as Tree);
    }
  }
  return out.join('');
}

export function isLeaf(tree: Tree): boolean {
  return tree.word !== undefined;
}

/** The words at the leaves, left to right. */
export function treeWords(tree: Tree): string[] {
  return treeNodes(tree, 'pre')
    .filter(isLeaf)
    .map((t) => t.word as string);
}

/**
 * All nodes: `'post'` order (children before parents, the order a recursive network evaluates
 * them; the root is last) or `'pre'` order (root first, then left subtree, then right).
 */
export function treeNodes(tree: Tree, order: 'pre' | 'post' = 'post'): Tree[] {
  const pre: Tree[] = [];
  const stack: Tree[] = [tree];
  while (stack.length > 0) {
    const t = stack.pop() as Tree;
    pre.push(t);
    if (!isLeaf(t)) {
      if (t.right) stack.push(t.right);
      if (t.left) stack.push(t.left);
    }
  }
  if (order === 'pre') return pre;
  // Reverse of (root, right, left) pre-order is a post-order (left, right, root).
  const out: Tree[] = [];
  const s2: Tree[] = [tree];
  while (s2.length > 0) {
    const t = s2.pop() as Tree;
    out.push(t);
    if (!isLeaf(t)) {
      if (t.left) s2.push(t.left);
      if (t.right) s2.push(t.right);
    }
  }
  return out.reverse();
}

/** True when every internal node has exactly two children and every leaf has a word only. */
export function isBinaryTree(tree: Tree): boolean {
  for (const t of treeNodes(tree, 'pre')) {
    if (!Number.isInteger(t.label)) return false;
    if (t.word !== undefined) {
      if (t.left !== undefined || t.right !== undefined) return false;
    } else if (t.left === undefined || t.right === undefined) return false;
  }
  return true;
}

/**
 * The binary (positive/negative) label of a 5-class sentiment label: 0, 1 → 0; 3, 4 → 1;
 * 2 (neutral) → -1, meaning "no binary label" (skip that node in a loss or metric).
 */
export function binaryLabel(label: number): number {
  if (label === 0 || label === 1) return 0;
  if (label === 3 || label === 4) return 1;
  if (label === 2) return -1;
  throw new ValueError(`binaryLabel: expected a sentiment label in 0..4, got ${label}`);
}

/**
 * The binary view (SST-2): trees whose root is neutral (label 2) are dropped; every node's label
 * becomes {@link binaryLabel} (0 negative, 1 positive, -1 for neutral inner nodes, to skip).
 * The input trees are not modified.
 */
export function toBinaryTrees(trees: readonly Tree[]): Tree[] {
  const out: Tree[] = [];
  for (const tree of trees) {
    if (tree.label === 2) continue;
    out.push(mapLabels(tree, binaryLabel));
  }
  return out;
}

/** A copy of `tree` with every label replaced by `fn(label)`. */
export function mapLabels(tree: Tree, fn: (label: number) => number): Tree {
  const copies = new Map<Tree, Tree>();
  for (const t of treeNodes(tree, 'post')) {
    const c: Tree = t.word !== undefined ? { label: fn(t.label), word: t.word } : { label: fn(t.label) };
    if (t.word === undefined) {
      c.left = copies.get(t.left as Tree);
      c.right = copies.get(t.right as Tree);
    }
    copies.set(t, c);
  }
  return copies.get(tree) as Tree;
}

export interface TreeVocabularyOptions {
  /** Words seen fewer times map to the unknown token (default 1: keep every word). */
  minCount?: number;
  /** Lower-case words before counting and lookup (default false). */
  lowercase?: boolean;
  /** The unknown token (default '<unk>'); it always has id 0. */
  unknown?: string;
}

/**
 * Words → ids. Id 0 is the unknown token; the other words follow sorted by descending count,
 * ties broken by the word, so ids are deterministic.
 */
export class TreeVocabulary {
  readonly words: readonly string[];
  readonly unknown: string;
  readonly lowercase: boolean;
  private readonly index: Map<string, number>;

  constructor(words: readonly string[], options: { lowercase?: boolean; unknown?: string } = {}) {
    this.unknown = options.unknown ?? '<unk>';
    this.lowercase = options.lowercase ?? false;
    const list = [this.unknown];
    const index = new Map<string, number>([[this.unknown, 0]]);
    for (const w of words) {
      if (typeof w !== 'string' || w === '') {
        throw new ValueError(`TreeVocabulary: words must be non-empty strings, got ${JSON.stringify(w)}`);
      }
      const key = this.lowercase ? w.toLowerCase() : w;
      if (index.has(key)) continue;
      index.set(key, list.length);
      list.push(key);
    }
    this.words = list;
    this.index = index;
  }

  /** Builds the vocabulary of the leaf words of `trees`. */
  static fromTrees(trees: readonly Tree[], options: TreeVocabularyOptions = {}): TreeVocabulary {
    const minCount = options.minCount ?? 1;
    checkPositiveInt('TreeVocabulary.fromTrees', 'minCount', minCount);
    const lowercase = options.lowercase ?? false;
    const unknown = options.unknown ?? '<unk>';
    const counts = new Map<string, number>();
    for (const tree of trees) {
      for (const w of treeWords(tree)) {
        const key = lowercase ? w.toLowerCase() : w;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const kept = [...counts]
      .filter(([w, c]) => c >= minCount && w !== unknown)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([w]) => w);
    return new TreeVocabulary(kept, { lowercase, unknown });
  }

  /** Number of ids, the unknown token included. */
  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.index.has(this.lowercase ? word.toLowerCase() : word);
  }

  /** The id of `word`, or 0 (the unknown token) when it is not in the vocabulary. */
  id(word: string): number {
    return this.index.get(this.lowercase ? word.toLowerCase() : word) ?? 0;
  }

  word(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new ValueError(
        `TreeVocabulary.word: id ${id} out of range: expected an integer in [0, ${this.size})`,
      );
    }
    return this.words[id];
  }

  /** The ids of the leaf words of `tree`, left to right. */
  encode(tree: Tree): Int32Array {
    return Int32Array.from(treeWords(tree), (w) => this.id(w));
  }
}

export type SstSplit = 'train' | 'dev' | 'test';

/**
 * The Stanford Sentiment Treebank (PTB trees, labels 0..4): train 8544, dev 1101, test 2210 trees,
 * from this package's `data/sst/` (Node only) or `{dir}/{split}.txt`. Labels are checked to be
 * in 0..4; `{binary: true}` gives the SST-2 view (see {@link toBinaryTrees}: 6920 / 872 / 1821).
 */
export async function sst(
  split: SstSplit,
  options: { dir?: string; binary?: boolean } = {},
): Promise<Tree[]> {
  checkOneOf('sst', 'split', split, ['train', 'dev', 'test']);
  const path =
    options.dir !== undefined
      ? `${options.dir.replace(/[\\/]+$/, '')}/${split}.txt`
      : await packageDataPath('sst', `sst/${split}.txt`);
  const trees = await readTrees(path, { maxLabel: 4 });
  return options.binary ? toBinaryTrees(trees) : trees;
}
