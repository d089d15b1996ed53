import {
  add,
  ENGINE,
  fmtShape,
  isFloat,
  type KernelRecorder,
  onesLike,
  type Tensor,
  tidy,
  ValueError,
  zerosLike,
} from '@axon/tensor';
import { getGradient, NON_DIFFERENTIABLE } from './registry';

/**
 * The autograd graph. A node is one recorded kernel call whose inputs depended on a tensor that
 * requires a gradient. It holds its own handles on the inputs and outputs it needs for backward
 * (so a `tidy` or `dispose` in user code cannot pull them away), and it is freed as soon as no
 * live tensor and no later node refers to it: intermediates never outlive their use. A tensor the
 * garbage collector reclaimed counts as gone (the engine reports it), so eager loops stay flat.
 *
 * Second order: a node's saved handles are aliases of the values they hold (an input handle stands
 * for that input's source, an output handle for the node's output). A backward run with
 * `createGraph` records its gradient formulas like any other ops; through the aliases, the formulas
 * that read saved values connect to the forward graph, so the gradient can be differentiated again.
 */
interface Node {
  kernelName: string;
  attrs: object;
  inputs: Tensor[];
  outputs: Tensor[];
  sources: (Source | null)[];
  /** Live tensors produced by this node plus later nodes that consume them. */
  refs: number;
  freed: boolean;
}

type Source = { node: Node; index: number } | { leaf: Tensor };

export interface BackwardOptions {
  /** The gradient of the root (default: ones, for a scalar root). */
  seed?: Tensor;
  /** Keep the walked nodes for another backward (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward computation, so the gradients can be differentiated again. */
  createGraph?: boolean;
  /**
   * The tensors (leaves or intermediates) whose gradients are wanted; only the part of the graph
   * between them and the root is walked. Default: every leaf the root depends on.
   */
  inputs?: readonly Tensor[];
}

export interface BackwardResult {
  /** Each leaf reached, with its gradient (only when `inputs` was not given). */
  leafGrads: [Tensor, Tensor][];
  /** The gradient of each of `inputs`, or null where the root does not depend on it. */
  inputGrads: (Tensor | null)[];
}

class Graph implements KernelRecorder {
  private readonly producers = new Map<number, { node: Node; index: number }>();
  /** Saved handles of live nodes, by id, with the value each stands for. */
  private readonly aliases = new Map<number, Source>();
  private readonly leaves = new WeakSet<Tensor>();
  private pauseDepth = 0;

  get recording(): boolean {
    return this.pauseDepth === 0;
  }

  setRequiresGrad(t: Tensor, on: boolean): void {
    if (on) this.leaves.add(t);
    else this.leaves.delete(t);
  }

  requiresGrad(t: Tensor): boolean {
    return this.leaves.has(t) || this.producers.has(t.id);
  }

  isLeaf(t: Tensor): boolean {
    return this.leaves.has(t);
  }

  sourceOf(t: Tensor): Source | null {
    const p = this.producers.get(t.id) ?? this.aliases.get(t.id);
    if (p) return p;
    return this.leaves.has(t) ? { leaf: t } : null;
  }

  recordKernel(
    kernelName: string,
    inputs: readonly Tensor[],
    attrs: object,
    outputs: readonly Tensor[],
  ): void {
    if (this.pauseDepth > 0 || NON_DIFFERENTIABLE.has(kernelName)) return;
    const sources = inputs.map((t) => this.sourceOf(t));
    if (sources.every((s) => s === null)) return;
    const node: Node = {
      kernelName,
      attrs,
      inputs: inputs.map((t) => ENGINE.retain(t)),
      outputs: outputs.map((t) => ENGINE.retain(t)),
      sources,
      refs: outputs.length,
      freed: false,
    };
    for (const s of sources) if (s && 'node' in s) s.node.refs++;
    outputs.forEach((t, index) => {
      this.producers.set(t.id, { node, index });
      this.aliases.set(node.outputs[index].id, { node, index });
    });
    node.inputs.forEach((t, k) => {
      const s = sources[k];
      if (s) this.aliases.set(t.id, s);
    });
  }

  onDispose(id: number): void {
    this.aliases.delete(id);
    const p = this.producers.get(id);
    if (!p) return;
    this.producers.delete(id);
    this.release(p.node);
  }

  private release(node: Node): void {
    if (--node.refs > 0) return;
    this.free(node);
    for (const s of node.sources) if (s && 'node' in s) this.release(s.node);
  }

  private free(node: Node): void {
    if (node.freed) return;
    node.freed = true;
    this.withoutRecording(() => {
      for (const t of node.inputs) t.dispose();
      for (const t of node.outputs) t.dispose();
    });
  }

  withoutRecording<T>(fn: () => T): T {
    this.pauseDepth++;
    try {
      return fn();
    } finally {
      this.pauseDepth--;
    }
  }

  /** Runs `fn` recording, even inside `noGrad` (as `torch.enable_grad`). */
  withRecording<T>(fn: () => T): T {
    const saved = this.pauseDepth;
    this.pauseDepth = 0;
    try {
      return fn();
    } finally {
      this.pauseDepth = saved;
    }
  }

  /**
   * Reverse-mode sweep from `root`. Gradients of a tensor used twice add up. Unless the graph is
   * retained (the default with `createGraph`), the nodes it walked are freed.
   */
  backward(root: Tensor, options: BackwardOptions = {}): BackwardResult {
    const { seed, createGraph = false, retainGraph = createGraph, inputs } = options;
    const start = this.sourceOf(root);
    if (!start) {
      throw new ValueError('backward: the tensor does not depend on any tensor that requires a gradient');
    }
    const order = 'node' in start ? topoOrder(start.node) : [];
    const wanted = inputs?.map((t) => this.sourceOf(t));
    const needed = wanted ? nodesBetween(order, wanted) : null;
    const sweep = () => {
      const nodeGrads = new Map<Node, (Tensor | undefined)[]>();
      const leafGrads = new Map<Tensor, Tensor>();
      const inputGrads: (Tensor | null)[] = (wanted ?? []).map(() => null);
      const accumulate = (s: Source, g: Tensor) => {
        if ('leaf' in s) {
          const prev = leafGrads.get(s.leaf);
          leafGrads.set(s.leaf, prev ? add(prev, g) : g);
          return;
        }
        let list = nodeGrads.get(s.node);
        if (!list) nodeGrads.set(s.node, (list = []));
        const prev = list[s.index];
        list[s.index] = prev ? add(prev, g) : g;
      };
      accumulate(start, seed ?? onesLike(root));

      for (let i = order.length - 1; i >= 0; i--) {
        const node = order[i];
        const dys = nodeGrads.get(node);
        if (!dys) continue;
        wanted?.forEach((w, k) => {
          if (w && 'node' in w && w.node === node) inputGrads[k] = dys[w.index] ?? null;
        });
        if (needed && !needed.has(node)) continue;
        if (node.freed) {
          throw new ValueError(
            `backward: the graph through '${node.kernelName}' was already freed by an earlier backward; pass retainGraph to backward twice`,
          );
        }
        const gradFn = getGradient(node.kernelName);
        if (!gradFn)
          throw new ValueError(`backward: no gradient is registered for kernel '${node.kernelName}'`);
        // An integer output (pool and sort indices) has no gradient and no gradient function reads
        // its slot: it holds the output itself rather than a fresh tensor of zeros every step.
        const full = node.outputs.map((o, k) => dys[k] ?? (isFloat(o.dtype) ? zerosLike(o) : o));
        const needsGrad = node.sources.map((src) => src !== null);
        const dxs = gradFn(full, {
          inputs: node.inputs,
          outputs: node.outputs,
          attrs: node.attrs,
          needsGrad,
        });
        node.sources.forEach((s, k) => {
          const dx = dxs[k];
          if (!s || !dx) return;
          const x = node.inputs[k];
          if (dx.shape.length !== x.shape.length || dx.shape.some((d, j) => d !== x.shape[j])) {
            throw new ValueError(
              `backward: the gradient of '${node.kernelName}' for input ${k} has shape ${fmtShape(dx.shape)}, expected ${fmtShape(x.shape)}`,
            );
          }
          accumulate(s, dx.dtype === x.dtype ? dx : dx.cast(x.dtype));
        });
        nodeGrads.delete(node);
      }
      wanted?.forEach((w, k) => {
        if (w && 'leaf' in w) inputGrads[k] = leafGrads.get(w.leaf) ?? null;
      });
      return { leafGrads: wanted ? [] : [...leafGrads.entries()], inputGrads };
    };
    const result = tidy(() => (createGraph ? this.withRecording(sweep) : this.withoutRecording(sweep)));
    if (!retainGraph) for (const node of order) this.free(node);
    return result;
  }
}

/**
 * The nodes of `order` (sources first) that lie on a path from a wanted source up to the root:
 * the only ones a backward for those sources must differentiate.
 */
function nodesBetween(order: readonly Node[], wanted: readonly (Source | null)[]): Set<Node> {
  const needed = new Set<Node>();
  const isWanted = (s: Source) =>
    wanted.some((w) =>
      w === null
        ? false
        : 'leaf' in w
          ? 'leaf' in s && s.leaf === w.leaf
          : 'node' in s && s.node === w.node && s.index === w.index,
    );
  for (const node of order) {
    if (node.sources.some((s) => s !== null && (isWanted(s) || ('node' in s && needed.has(s.node))))) {
      needed.add(node);
    }
  }
  return needed;
}

/** Nodes reachable from `root` through their sources, each after all the nodes it depends on. */
function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, k] = top;
    if (k < node.sources.length) {
      top[1]++;
      const s = node.sources[k];
      if (s && 'node' in s && !seen.has(s.node)) {
        seen.add(s.node);
        stack.push([s.node, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

const KEY = Symbol.for('axon.autogradGraph');
const g = globalThis as { [KEY]?: Graph };
g[KEY] ??= new Graph();

/** The process-wide graph, installed as the engine's recorder. */
export const GRAPH: Graph = g[KEY];
ENGINE.recorder = GRAPH;
