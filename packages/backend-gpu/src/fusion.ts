/**
 * Elementwise fusion. Unary, binary, where and simple cast kernels do not launch at once: each
 * returns a pending expression over its inputs (a small graph of nodes), and a chain of them
 * becomes one kernel when something needs the values: another kernel's input, a read-back, or
 * the chain growing past `MAX_OPS` / `MAX_LEAVES`. One launch instead of one per op, and no
 * intermediate buffers: the browser harness's training-parity run went from 33,022 launches in
 * 11.8 s to 17,030 in 8.6 s (a launch costs about 0.3 ms on SwiftShader, whatever its size).
 *
 * A pending value is inlined into the next op only when it has that op's output shape (the
 * graph's one frame: every node's thread is the output element of the same index); anything
 * else (a broadcast input, another frame) is computed first and read as a leaf: a finished
 * buffer, at its broadcast strides, or a packed product's 2×2 blocks (a matmul's or conv2d's
 * result before it is unpacked: the chain after it reads the blocks, and the unpack pass is
 * gone). The fused kernel reads each leaf once into a local and runs the ops as one statement
 * each, in the order they were called, so it computes exactly what the kernels one by one would.
 */
import type { DataId } from '@axon/tensor';
import { indexCode, kernelSource } from './codegen';
import { type Blocks, blockRead } from './packed_product';

/** A chain is cut (its inputs computed first) beyond this many ops... */
export const MAX_OPS = 24;
/** ...or this many distinct leaf buffers (each a texture unit: WebGL guarantees 16 per shader). */
export const MAX_LEAVES = 8;

/** A finished buffer read by a fused kernel, at `strides` over the frame (0 on broadcast dims). */
export interface Leaf {
  kind: 'leaf';
  id: DataId;
  /** The buffer's element count: a leaf as large as the frame is read at the thread's own element. */
  size: number;
  strides: readonly number[];
  /** A packed product's blocks (packed_product.ts), read in the frame's element order. */
  blocks?: Blocks;
}

/** One elementwise op: `template` with $0, $1, ... standing for its inputs' values. */
export interface OpNode {
  kind: 'op';
  template: string;
  inputs: readonly Node[];
  /** Ops in this node's graph (shared subgraphs counted once per path: an upper bound). */
  ops: number;
}

export type Node = Leaf | OpNode;

/** A pending value: the graph computing it over the frame `shape`, and the leaf buffers it reads. */
export interface Pending {
  root: OpNode;
  shape: readonly number[];
  leaves: ReadonlySet<DataId>;
}

/** The leaf buffers of a graph. */
export function leavesOf(root: Node): Set<DataId> {
  const out = new Set<DataId>();
  const seen = new Set<Node>();
  const walk = (n: Node) => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'leaf') out.add(n.id);
    else for (const i of n.inputs) walk(i);
  };
  walk(root);
  return out;
}

/**
 * The kernel that computes `p` (one thread per element of its frame), its parameter names in the
 * order of `ids` (the leaf buffers to pass).
 */
export function fusedKernel(p: Pending): { source: string; ids: DataId[]; fetches: string[] } {
  const size = p.shape.reduce((a, b) => a * b, 1);
  const ids: DataId[] = [];
  const leafVar = new Map<DataId, string>();
  const names = new Map<Node, string>();
  const strided: Record<string, readonly number[]> = {};
  const reads: string[] = [];
  const fetches: string[] = [];
  const statements: string[] = [];
  const visit = (n: Node): string => {
    const known = names.get(n);
    if (known) return known;
    let name: string;
    if (n.kind === 'leaf') {
      const param = `p${leafVar.size}`;
      // The same buffer may be a leaf at different strides (x + xᵀ): a local per read.
      name = `l${names.size}`;
      if (!leafVar.has(n.id)) {
        leafVar.set(n.id, param);
        ids.push(n.id);
      }
      const p = leafVar.get(n.id) as string;
      if (n.blocks) {
        if (!fetches.includes(p)) fetches.push(p);
        reads.push(blockRead(p, name, n.blocks));
        names.set(n, name);
        return name;
      }
      // As large as the frame, a leaf is not broadcast: its element is the thread's own.
      if (n.size === size) {
        reads.push(`const ${name} = ${p}[this.thread.x];`);
      } else if (n.size === 1) {
        reads.push(`const ${name} = ${p}[0];`);
      } else {
        strided[name] = n.strides;
        reads.push(`const ${name} = ${p}[o_${name}];`);
      }
    } else {
      const args = n.inputs.map(visit);
      name = `n${names.size}`;
      statements.push(`const ${name} = ${n.template.replace(/\$(\d)/g, (_, i) => args[Number(i)])};`);
    }
    names.set(n, name);
    return name;
  };
  const result = visit(p.root);
  const index = Object.keys(strided).length > 0 ? [indexCode(p.shape, strided)] : [];
  const body = [...index, ...reads, ...statements, `return ${result};`].join('\n  ');
  return {
    source: kernelSource(
      ids.map((id) => leafVar.get(id) as string),
      body,
    ),
    ids,
    fetches,
  };
}
