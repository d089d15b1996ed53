import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import {
  binaryLabel,
  isBinaryTree,
  parseTree,
  parseTrees,
  readTrees,
  sst,
  type Tree,
  TreeParseError,
  TreeVocabulary,
  toBinaryTrees,
  treeNodes,
  treeToString,
  treeWords,
} from '../src/index';

const here = fileURLToPath(new URL('.', import.meta.url));
// CI has ../shared beside the repo: <repo>/../shared/data/sst
const SHARED = resolve(here, '../../../../shared/data/sst');
const SST_DIR = existsSync(SHARED) ? SHARED : resolve(here, '../data/sst');

const EXPECTED = {
  train: { trees: 8544, nodes: 318582, tokens: 163563, roots: [1092, 2218, 1624, 2322, 1288], binary: 6920 },
  dev: { trees: 1101, nodes: 41447, tokens: 21274, roots: [139, 289, 229, 279, 165], binary: 872 },
  test: { trees: 2210, nodes: 82600, tokens: 42405, roots: [279, 633, 389, 510, 399], binary: 1821 },
} as const;

describe('SST trees', () => {
  for (const split of ['train', 'dev', 'test'] as const) {
    it(`${split}: counts, labels 0..4, binary, round trip to the exact text`, async () => {
      const path = join(SST_DIR, `${split}.txt`);
      const trees = await readTrees(path);
      const want = EXPECTED[split];
      expect(trees.length).toBe(want.trees);
      const roots = [0, 0, 0, 0, 0];
      let nodes = 0;
      let tokens = 0;
      let badLabels = 0;
      let nonBinary = 0;
      for (const t of trees) {
        roots[t.label]++;
        if (!isBinaryTree(t)) nonBinary++;
        for (const n of treeNodes(t)) {
          nodes++;
          if (!(Number.isInteger(n.label) && n.label >= 0 && n.label <= 4)) badLabels++;
          if (n.word !== undefined) tokens++;
        }
      }
      expect(badLabels).toBe(0);
      expect(nonBinary).toBe(0);
      expect(roots).toEqual(want.roots);
      expect(nodes).toBe(want.nodes);
      expect(tokens).toBe(want.tokens);
      // Round trip: the file is exactly the trees written back, one per line.
      const text = await readFile(path, 'utf8');
      expect(`${trees.map(treeToString).join('\n')}\n`).toBe(text);
      const binary = toBinaryTrees(trees);
      expect(binary.length).toBe(want.binary);
      expect(binary.every((t) => t.label === 0 || t.label === 1)).toBe(true);
      expect(binary.every((t) => treeNodes(t).every((n) => n.label >= -1 && n.label <= 1))).toBe(true);
      // The binary view is a copy.
      expect(trees.filter((t) => t.label !== 2).length).toBe(want.binary);
    });
  }

  it('sst() loads the bundled copy (identical to the shared one), with the binary view', async () => {
    const bundled = await sst('dev');
    const shared = await sst('dev', { dir: SST_DIR });
    expect(bundled.map(treeToString)).toEqual(shared.map(treeToString));
    expect((await sst('test', { binary: true })).length).toBe(1821);
    await expect(sst('valid' as never)).rejects.toThrow(
      /sst: expected split to be one of 'train', 'dev', 'test'/,
    );
  });

  it('parses a tree into nodes, words and the post-order', () => {
    const line = '(3 (2 (2 The) (2 Rock)) (4 (3 is) (4 great)))';
    const t = parseTree(line);
    expect(t.label).toBe(3);
    expect(t.left?.left).toEqual({ label: 2, word: 'The' });
    expect(treeWords(t)).toEqual(['The', 'Rock', 'is', 'great']);
    expect(treeNodes(t).map((n) => n.word ?? n.label)).toEqual(['The', 'Rock', 2, 'is', 'great', 4, 3]);
    expect(treeNodes(t, 'pre').map((n) => n.word ?? n.label)).toEqual([
      3,
      2,
      'The',
      'Rock',
      4,
      'is',
      'great',
    ]);
    expect(treeToString(t)).toBe(line);
    // Extra whitespace is tolerated; the canonical form comes back.
    expect(treeToString(parseTree('  ( 3 (2  a )\t(1 b) ) '))).toBe('(3 (2 a) (1 b))');
    expect(parseTree('(0 -LRB-)')).toEqual({ label: 0, word: '-LRB-' });
    // Only ASCII whitespace separates tokens: SST has the word "8\u00a01\/2" (train line 4342).
    expect(parseTree('(2 8\u00a01\\/2)')).toEqual({ label: 2, word: '8\u00a01\\/2' });
    // Deep trees do not overflow the stack (iterative parse and print).
    const depth = 20000;
    const deep = `${'(1 (2 w) '.repeat(depth)}(3 end)${')'.repeat(depth)}`;
    expect(treeToString(parseTree(deep))).toBe(deep);
  });

  it('malformed input: errors name the line (and file), the column and why', () => {
    const bad: [string, RegExp][] = [
      ['', /column 1: empty line/],
      ['(3 (2 a) (2 b)', /unbalanced brackets: 1 "\(" not closed/],
      ['(3 (2 a) (2 b)))', /column 16: unexpected text after the tree/],
      ['(3 (2 a) (2 b) (2 c))', /node is not binary/],
      ['(3 (2 a))', /node is not binary: expected 2 children, found 1/],
      ['(x (2 a) (2 b))', /column 2: label must be a non-negative integer, got "x"/],
      ['(-1 a)', /label must be a non-negative integer, got "-1"/],
      ['( (2 a) (2 b))', /missing label after "\("/],
      ['(2 a b)', /a leaf holds one word, found more after "a"/],
      ['(2)', /node has neither a word nor children/],
      ['word', /expected "\(" but found "word"/],
      [')', /"\)" without a matching "\("/],
      ['(2 a', /leaf opened at column 1 is not closed/],
    ];
    for (const [line, why] of bad) {
      let err: unknown;
      try {
        parseTree(line);
      } catch (e) {
        err = e;
      }
      expect(err, line).toBeInstanceOf(TreeParseError);
      expect(err).toBeInstanceOf(ValueError);
      expect((err as Error).message, line).toMatch(/^parseTree: /);
      expect((err as Error).message, line).toMatch(why);
    }
    expect(() => parseTree('(5 a)', { maxLabel: 4 })).toThrow(/label 5 out of range: expected 0..4/);
    expect(() => parseTrees('(2 a)\n\n(2 (2 a) (2 b)\n', 'mem.txt')).toThrow(
      /parseTree: mem.txt:3:\d+: unbalanced brackets/,
    );
    expect(() => parseTree(42 as unknown as string)).toThrow(/parseTree: expected a string, got number/);
  });

  it('readTrees names the file and line of a corrupt tree; missing and empty files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'axon-trees-'));
    const path = join(dir, 'corrupt.txt');
    await writeFile(path, '(3 (2 a) (2 b))\n(1 (2 a) (0 b))\n(2 (2 a) (2 b) (2 c))\n');
    const err = await readTrees(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TreeParseError);
    expect((err as TreeParseError).file).toBe(path);
    expect((err as TreeParseError).line).toBe(3);
    expect((err as Error).message).toContain(`${path}:3:`);
    expect((err as Error).message).toMatch(/node is not binary/);
    // CRLF and blank lines are fine; line numbers still count them.
    const crlf = join(dir, 'crlf.txt');
    await writeFile(crlf, '(3 (2 a) (2 b))\r\n\r\n(1 c)\r\n');
    expect((await readTrees(crlf)).map(treeToString)).toEqual(['(3 (2 a) (2 b))', '(1 c)']);
    const sstBad = join(dir, 'dev.txt');
    await writeFile(sstBad, '(3 (2 a) (2 b))\n(3 (7 a) (2 b))\n');
    await expect(sst('dev', { dir })).rejects.toThrow(/dev.txt:2:5: label 7 out of range: expected 0..4/);
    await expect(readTrees(join(dir, 'nope.txt'))).rejects.toThrow(
      /readTrees: cannot read .*nope.txt.*no such file/,
    );
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '\n\n');
    await expect(readTrees(empty)).rejects.toThrow(/readTrees: .*empty.txt' holds no trees/);
  });

  it('binary labels and the binary view', () => {
    expect([0, 1, 2, 3, 4].map(binaryLabel)).toEqual([0, 0, -1, 1, 1]);
    expect(() => binaryLabel(5)).toThrow(/binaryLabel: expected a sentiment label in 0..4, got 5/);
    const trees = parseTrees('(2 (2 a) (2 b))\n(4 (3 (2 a) (1 b)) (0 c))\n(0 (1 x) (2 y))');
    const bin = toBinaryTrees(trees);
    expect(bin.map(treeToString)).toEqual(['(1 (1 (-1 a) (0 b)) (0 c))', '(0 (0 x) (-1 y))']);
    expect(treeToString(trees[1])).toBe('(4 (3 (2 a) (1 b)) (0 c))'); // input unchanged
  });

  it('TreeVocabulary: unknown token 0, deterministic ids, minCount, lowercase', async () => {
    const trees = parseTrees('(2 (2 the) (2 (2 cat) (2 The)))\n(2 (2 the) (2 dog))');
    const v = TreeVocabulary.fromTrees(trees);
    expect(v.words).toEqual(['<unk>', 'the', 'The', 'cat', 'dog']);
    expect(v.size).toBe(5);
    expect(v.id('cat')).toBe(3);
    expect(v.id('zebra')).toBe(0);
    expect(v.has('zebra')).toBe(false);
    expect(v.word(4)).toBe('dog');
    expect(() => v.word(5)).toThrow(/TreeVocabulary.word: id 5 out of range/);
    expect(Array.from(v.encode(trees[0]))).toEqual([1, 3, 2]);
    const lower = TreeVocabulary.fromTrees(trees, { lowercase: true, minCount: 2 });
    expect(lower.words).toEqual(['<unk>', 'the']);
    expect(lower.id('THE')).toBe(1);
    expect(lower.id('cat')).toBe(0);
    expect(() => TreeVocabulary.fromTrees(trees, { minCount: 0 })).toThrow(
      /expected minCount to be a positive integer/,
    );

    const train = await readTrees(join(SST_DIR, 'train.txt'));
    const dev = await readTrees(join(SST_DIR, 'dev.txt'));
    const vocab = TreeVocabulary.fromTrees(train);
    const distinct = new Set(train.flatMap(treeWords));
    expect(vocab.size).toBe(distinct.size + 1);
    const devWords = dev.flatMap(treeWords);
    const unknown = devWords.filter((w) => !vocab.has(w)).length;
    expect(unknown).toBeGreaterThan(0);
    expect(unknown / devWords.length).toBeLessThan(0.1);
  });
});

export type { Tree };
