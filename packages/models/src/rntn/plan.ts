/**
 * Trees as tensors, and the level-by-level schedule that lets a minibatch of trees run as a few
 * batched ops. A minibatch is encoded as node rows `x` [N, 3] int32 = (word id, left row, right
 * row) with -1 for what a node lacks, each tree in post-order (children before their parent, the
 * root last), and labels `y` [N]: so it is an ordinary {x, y} batch for `fit`. The plan sorts the
 * rows into a "table": the leaves first, then every node at height 1, height 2, …, so that each
 * level's children are already in the table when the level is composed.
 */
import { describeValue, fmtShape, ShapeError, type Tensor, ValueError } from '@axon/tensor';

/** A labelled binary tree (@axon/datasets' `Tree` has this shape): a leaf has `word`, a node `left` and `right`. */
export interface SentimentTree {
  label: number;
  word?: string;
  left?: SentimentTree;
  right?: SentimentTree;
}

/** One level: the rows composed together, and their children's positions in the table. */
export interface PlanLevel {
  /** The node rows (of x) composed at this level. */
  rows: Int32Array;
  /** Table positions of their left and right children. */
  left: Int32Array;
  right: Int32Array;
}

export interface TreePlan {
  /** Number of nodes (rows of x). */
  nodes: number;
  /** The leaf rows in table order (the table's first rows), and their word ids. */
  leafRows: Int32Array;
  leafWords: Int32Array;
  /** Levels by height 1, 2, …; level k's nodes fill the table after those of levels < k. */
  levels: PlanLevel[];
  /** Table position of each row of x (to put table-ordered results back in row order). */
  tablePos: Int32Array;
  /** The rows of the roots (nodes no other node points at), one per tree, in order. */
  roots: Int32Array;
}

/** The post-order nodes of `tree`, iteratively (SST trees can be deep; no recursion limit). */
export function postOrder(tree: SentimentTree): SentimentTree[] {
  const out: SentimentTree[] = [];
  const stack: SentimentTree[] = [tree];
  while (stack.length > 0) {
    const t = stack.pop() as SentimentTree;
    out.push(t);
    if (t.word === undefined) {
      if (t.left) stack.push(t.left);
      if (t.right) stack.push(t.right);
    }
  }
  return out.reverse(); // the reverse of (root, right, left) pre-order is (left, right, root)
}

/**
 * Encodes trees as node rows (see the file head), words through `wordId`. Checks that each tree is
 * binary (a word, or both children) and that labels are integers in [0, classes).
 */
export function encodeTreeRows(
  owner: string,
  trees: readonly SentimentTree[],
  wordId: (word: string) => number,
  classes: number,
): { rows: Int32Array; labels: Int32Array } {
  if (!Array.isArray(trees) || trees.length === 0) {
    throw new ValueError(`${owner}: expected a non-empty array of trees, got ${describeValue(trees)}`);
  }
  const rows: number[] = [];
  const labels: number[] = [];
  for (const [k, tree] of trees.entries()) {
    if (typeof tree !== 'object' || tree === null) {
      throw new ValueError(
        `${owner}: expected trees[${k}] to be a tree {label, word | left, right}, got ${describeValue(tree)}`,
      );
    }
    const base = labels.length;
    const order = postOrder(tree);
    const at = new Map<SentimentTree, number>();
    for (const [i, t] of order.entries()) {
      if (!Number.isInteger(t.label) || t.label < 0 || t.label >= classes) {
        throw new ValueError(
          `${owner}: trees[${k}] has a node labelled ${String(t.label)}: expected an integer in [0, ${classes})`,
        );
      }
      at.set(t, base + i);
      labels.push(t.label);
      if (t.word !== undefined) {
        if (t.left || t.right)
          throw new ValueError(`${owner}: trees[${k}] has a leaf '${t.word}' with children`);
        rows.push(wordId(t.word), -1, -1);
      } else {
        if (!t.left || !t.right) {
          throw new ValueError(
            `${owner}: trees[${k}] is not binary: a node has neither a word nor two children`,
          );
        }
        rows.push(-1, at.get(t.left) as number, at.get(t.right) as number);
      }
    }
  }
  return { rows: Int32Array.from(rows), labels: Int32Array.from(labels) };
}

/** The level schedule of node rows `x` [N, 3] (checked: children come before their parent). */
export function planTrees(owner: string, x: Tensor, vocabularySize: number): TreePlan {
  if (x.rank !== 2 || x.shape[1] !== 3 || x.shape[0] === 0) {
    throw new ShapeError(
      `${owner}: expected node rows x [N, 3] (word, left, right), got ${fmtShape(x.shape)}`,
    );
  }
  if (x.dtype !== 'int32') throw new ValueError(`${owner}: expected int32 node rows, got ${x.dtype}`);
  const d = x.dataSync() as Int32Array;
  const n = x.shape[0];
  const height = new Int32Array(n);
  const isChild = new Uint8Array(n);
  let maxHeight = 0;
  let leaves = 0;
  for (let r = 0; r < n; r++) {
    const [w, l, rr] = [d[3 * r], d[3 * r + 1], d[3 * r + 2]];
    if (l < 0 && rr < 0) {
      if (!(w >= 0 && w < vocabularySize)) {
        throw new ValueError(
          `${owner}: row ${r} is a leaf with word id ${w}: expected one in [0, ${vocabularySize})`,
        );
      }
      leaves++;
      continue;
    }
    if (!(l >= 0 && l < r && rr >= 0 && rr < r) || w !== -1) {
      throw new ValueError(
        `${owner}: row ${r} = (${w}, ${l}, ${rr}): expected (-1, left, right) with both children before row ${r}`,
      );
    }
    isChild[l] = 1;
    isChild[rr] = 1;
    height[r] = 1 + Math.max(height[l], height[rr]);
    maxHeight = Math.max(maxHeight, height[r]);
  }
  // Counting sort of the rows by height: the table is the leaves, then height 1, 2, ...
  const count = new Int32Array(maxHeight + 2);
  for (let r = 0; r < n; r++) count[height[r] + 1]++;
  for (let h = 1; h < count.length; h++) count[h] += count[h - 1];
  const start = count.slice();
  const tablePos = new Int32Array(n);
  const byTable = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const p = count[height[r]]++;
    tablePos[r] = p;
    byTable[p] = r;
  }
  const leafRows = byTable.slice(0, leaves);
  const levels: PlanLevel[] = [];
  for (let h = 1; h <= maxHeight; h++) {
    const rows = byTable.slice(start[h], start[h + 1]);
    levels.push({
      rows,
      left: rows.map((r) => tablePos[d[3 * r + 1]]),
      right: rows.map((r) => tablePos[d[3 * r + 2]]),
    });
  }
  const roots: number[] = [];
  for (let r = 0; r < n; r++) if (!isChild[r]) roots.push(r);
  return {
    nodes: n,
    leafRows,
    leafWords: leafRows.map((r) => d[3 * r]),
    levels,
    tablePos,
    roots: Int32Array.from(roots),
  };
}
