import {
  add,
  ENGINE,
  fmtShape,
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
 * live tensor and no later node refers to it: intermediates never outlive their use.
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

class Graph implements KernelRecorder {
  private readonly producers = new Map<number, { node: Node; index: number }>();
  private readonly leaves = new Set<Tensor>();
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
    const p = this.producers.get(t.id);
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
    });
  }

  onDispose(t: Tensor): void {
    this.leaves.delete(t);
    const p = this.producers.get(t.id);
    if (!p) return;
    this.producers.delete(t.id);
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

  /**
   * Reverse-mode sweep from `root`, seeded with `seed` (default: ones). Returns each leaf that
   * `root` depends on with its gradient; gradients of a tensor used twice add up. Unless
   * `retainGraph`, the nodes it walked are freed.
   */
  backward(root: Tensor, seed?: Tensor, retainGraph = false): [Tensor, Tensor][] {
    const start = this.sourceOf(root);
    if (!start) {
      throw new ValueError('backward: the tensor does not depend on any tensor that requires a gradient');
    }
    const order = start && 'node' in start ? topoOrder(start.node) : [];
    return tidy(() =>
      this.withoutRecording(() => {
        const nodeGrads = new Map<Node, (Tensor | undefined)[]>();
        const leafGrads = new Map<Tensor, Tensor>();
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
          if (node.freed) {
            throw new ValueError(
              `backward: the graph through '${node.kernelName}' was already freed by an earlier backward; pass retainGraph to backward twice`,
            );
          }
          const gradFn = getGradient(node.kernelName);
          if (!gradFn)
            throw new ValueError(`backward: no gradient is registered for kernel '${node.kernelName}'`);
          const full = node.outputs.map((o, k) => dys[k] ?? zerosLike(o));
          const dxs = gradFn(full, { inputs: node.inputs, outputs: node.outputs, attrs: node.attrs });
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
        if (!retainGraph) for (const node of order) this.free(node);
        return [...leafGrads.entries()];
      }),
    );
  }
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
