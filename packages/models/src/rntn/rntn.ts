/**
 * The recursive neural tensor network (Socher et al. 2013) and, with `composition: 'plain'`, the
 * plain recursive network it is compared with (Socher et al. 2011). Word vectors sit at the
 * leaves; one composition, shared over the tree, makes each parent from its two children,
 * p = tanh([a;b]ᵀ V [a;b] + W [a;b] + b) (no V term for the plain network); a softmax classifier
 * gives every node a sentiment class, and the loss is the cross-entropy summed over all nodes.
 *
 * A minibatch of trees runs level by level (plan.ts): all leaves in one embedding lookup, then at
 * each height one gather of the children's rows, one batched composition and one concat, so the
 * op count grows with the depth of the deepest tree, not with the number of nodes. The
 * node-by-node path (one composition per node) gives the same loss and gradients; it is kept as
 * the reference and to measure the speed-up.
 */

import { noGrad } from '@axon/autograd';
import { BilinearTensor, Embedding, type LayerConfig, Linear, Module, registerLayer } from '@axon/layers';
import {
  add,
  assign,
  checkBoolean,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  concat,
  crossEntropy,
  describeValue,
  eye,
  fmtShape,
  indexSelect,
  mul,
  ShapeError,
  softmax,
  square,
  sum,
  type Tensor,
  Tensor as TensorClass,
  tanh,
  tensor,
  tidy,
  uniform,
  ValueError,
} from '@axon/tensor';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { encodeTreeRows, planTrees, type SentimentTree, type TreePlan } from './plan';
import { predictSentence, type RntnPrediction } from './predict';

export const RNTN_COMPOSITIONS = ['tensor', 'plain'] as const;
/** 'tensor': the RNTN; 'plain': the recursive network without the tensor term (the baseline). */
export type RntnComposition = (typeof RNTN_COMPOSITIONS)[number];

export interface RntnOptions {
  /** The words; entry 0 is the unknown word every other word maps to (e.g. `TreeVocabulary.words`). */
  vocabulary: readonly string[];
  /** Size d of word and phrase vectors (default 25, as the paper). */
  dim?: number;
  /** Number of sentiment classes (default 5). */
  classes?: number;
  /** 'tensor' (default) or 'plain'. */
  composition?: RntnComposition;
  /** Look words up lower-cased (default false; the vocabulary should then be lower-case too). */
  lowercase?: boolean;
  /**
   * L2 on the word vectors a training minibatch uses, (wordDecay/2)·Σ‖L[w]‖² added to the step's
   * loss (default 0). Give the word vectors no weight decay in the optimizer then: as in the
   * Stanford implementation only the active words are regularised, since a dense decay under
   * AdaGrad would move every unused word vector by a full step each minibatch.
   */
  wordDecay?: number;
  /**
   * Squash the word vectors through tanh at the leaves (default false, the paper's formula, where a
   * leaf's vector is its word vector). The Stanford implementation does: every node vector, leaf or
   * phrase, then lies in (−1, 1), so the tensor term, quadratic in the children, cannot be blown up
   * by a word vector that has grown.
   */
  leafTanh?: boolean;
}

/** An encoded minibatch: node rows x [N, 3] and labels y [N] (see plan.ts). */
export interface TreeBatch {
  x: Tensor;
  y: Tensor;
}

/**
 * The RNTN (or plain recursive network) as a registered Module: children 'embedding'
 * (Embedding [V, d]), 'compose' (BilinearTensor(d) or Linear(2d → d)) and 'classifier'
 * (Linear(d → classes)); the vocabulary is part of its config, so `load` rebuilds it from the file.
 * `forward(x)` maps node rows to logits [N, classes], in row order.
 */
export class RNTN extends Module implements SteppedModel {
  readonly dim: number;
  readonly classes: number;
  readonly composition: RntnComposition;
  readonly lowercase: boolean;
  readonly wordDecay: number;
  readonly leafTanh: boolean;
  readonly vocabulary: readonly string[];
  readonly embedding: Embedding;
  readonly compose: BilinearTensor | Linear;
  readonly classifier: Linear;
  private readonly index: Map<string, number>;

  constructor(options: RntnOptions) {
    super();
    const o = checkOptions('rntn', options) as unknown as RntnOptions;
    const vocabulary = o.vocabulary;
    if (
      !Array.isArray(vocabulary) ||
      vocabulary.length === 0 ||
      !vocabulary.every((w) => typeof w === 'string')
    ) {
      throw new ValueError(
        `rntn: expected vocabulary to be a non-empty array of words (entry 0 the unknown word), got ${describeValue(vocabulary)}`,
      );
    }
    this.dim = checkPositiveInt('rntn', 'dim', o.dim ?? 25);
    this.classes = checkPositiveInt('rntn', 'classes', o.classes ?? 5);
    this.composition = checkOneOf('rntn', 'composition', o.composition ?? 'tensor', RNTN_COMPOSITIONS);
    this.lowercase = checkBoolean('rntn', 'lowercase', o.lowercase ?? false);
    this.wordDecay = checkNumber('rntn', 'wordDecay', o.wordDecay ?? 0, { min: 0 });
    this.leafTanh = checkBoolean('rntn', 'leafTanh', o.leafTanh ?? false);
    this.vocabulary = [...vocabulary];
    this.index = new Map();
    for (const [i, w] of this.vocabulary.entries()) {
      const key = this.lowercase ? w.toLowerCase() : w;
      if (!this.index.has(key)) this.index.set(key, i);
    }
    const d = this.dim;
    this.embedding = this.addModule('embedding', new Embedding(this.vocabulary.length, d));
    this.compose = this.addModule(
      'compose',
      this.composition === 'tensor' ? new BilinearTensor(d) : new Linear(2 * d, d),
    );
    this.classifier = this.addModule('classifier', new Linear(d, this.classes));
    this.initialise();
  }

  /**
   * The Stanford implementation's initialisation, but for W's scale: word vectors N(0, 0.1²);
   * W = ½[I I] + U(±1/(2√d)), so that a parent starts as tanh of the mean of its children (with
   * [I I], the sum, tanh saturates at the roots of long sentences and their vectors all look alike);
   * V ~ U(±1/(4d)); the classifier U(±1/√d) with zero bias.
   */
  private initialise(): void {
    const d = this.dim;
    tidy(() => {
      assign(this.embedding.weight, mul(this.embedding.weight, 0.1));
      const half = mul(concat([eye(d), eye(d)], 1), 0.5);
      const r = 1 / (2 * Math.sqrt(d));
      const W = this.compose instanceof BilinearTensor ? this.compose.W : this.compose.weight;
      const b = this.compose instanceof BilinearTensor ? this.compose.b : this.compose.bias;
      assign(W, add(half, uniform([d, 2 * d], -r, r)));
      if (b) assign(b, mul(b, 0));
      if (this.compose instanceof BilinearTensor) {
        assign(this.compose.V, uniform([d, 2 * d, 2 * d], -1 / (4 * d), 1 / (4 * d)));
      }
      const c = 1 / Math.sqrt(d);
      assign(this.classifier.weight, uniform([this.classes, d], -c, c));
      if (this.classifier.bias) assign(this.classifier.bias, mul(this.classifier.bias, 0));
    });
  }

  /** The id of `word` (0, the unknown word, when it is not in the vocabulary). */
  wordId(word: string): number {
    return this.index.get(this.lowercase ? word.toLowerCase() : word) ?? 0;
  }

  /** Encodes trees as one minibatch {x, y} for this model (node rows and labels; see plan.ts). */
  encode(trees: readonly SentimentTree[]): TreeBatch {
    const { rows, labels } = encodeTreeRows('RNTN.encode', trees, (w) => this.wordId(w), this.classes);
    return {
      x: tensor(rows, { shape: [labels.length, 3], dtype: 'int32' }),
      y: tensor(labels, { shape: [labels.length], dtype: 'int32' }),
    };
  }

  /** The level schedule of node rows x (exposed for evaluation and tests). */
  plan(x: Tensor): TreePlan {
    if (!(x instanceof TensorClass)) {
      throw new ValueError(`RNTN: expected node rows x to be a Tensor, got ${describeValue(x)}`);
    }
    return planTrees('RNTN', x, this.vocabulary.length);
  }

  /** p = tanh([a;b]ᵀ V [a;b] + W [a;b] + b) (no V term for 'plain'), rows of a and b batched. */
  composeChildren(a: Tensor, b: Tensor): Tensor {
    if (this.compose instanceof BilinearTensor) return this.compose.forward(a, b);
    return tanh(this.compose.forward(concat([a, b], -1)));
  }

  /** The vectors of leaf words (ids [n] → [n, d]): the word vectors, through tanh with `leafTanh`. */
  leafVectors(words: Tensor): Tensor {
    const vectors = this.embedding.forward(words);
    return this.leafTanh ? tanh(vectors) : vectors;
  }

  /** Every node's vector [N, d] in row order, computed level by level. */
  nodeVectors(x: Tensor): Tensor {
    const plan = this.plan(x);
    const ids = (a: Int32Array) => tensor(a, { shape: [a.length], dtype: 'int32' });
    let table = this.leafVectors(ids(plan.leafWords));
    for (const level of plan.levels) {
      const parents = this.composeChildren(
        indexSelect(table, 0, ids(level.left)),
        indexSelect(table, 0, ids(level.right)),
      );
      table = concat([table, parents], 0);
    }
    return indexSelect(table, 0, ids(plan.tablePos));
  }

  /** Every node's vector [N, d] in row order, one composition per node (the reference path). */
  nodeVectorsNodeByNode(x: Tensor): Tensor {
    this.plan(x); // checks the rows
    const d = x.dataSync() as Int32Array;
    const vectors: Tensor[] = [];
    for (let r = 0; r < x.shape[0]; r++) {
      vectors.push(
        d[3 * r + 1] < 0
          ? this.leafVectors(tensor([d[3 * r]], { shape: [1], dtype: 'int32' }))
          : this.composeChildren(vectors[d[3 * r + 1]], vectors[d[3 * r + 2]]),
      );
    }
    return concat(vectors, 0);
  }

  /** Every node's class probabilities (softmax, row order, `classes` per node), without gradients. */
  probabilities(x: Tensor): Float32Array {
    return noGrad(() => tidy(() => softmax(this.forward(x), -1).dataSync() as Float32Array));
  }

  /**
   * The sentiment of a sentence: an SST tree, or raw text (tokenised and joined right-branching,
   * see text.ts). Gives the root's class and probabilities, and every node's class in post-order
   * with its phrase; `tree` is a copy of the tree labelled with the predicted classes.
   */
  predict(sentence: SentimentTree | string): RntnPrediction {
    return predictSentence(this, sentence);
  }

  /** The logits [N, classes] of every node of node rows x, in row order (level by level). */
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.nodeVectors(x));
  }

  /**
   * The cross-entropy summed over every node of the batch (the paper's objective, before L2, which
   * the optimizer's weight decay adds). `nodeByNode` runs the reference path instead.
   */
  loss(batch: StepBatch, options: { nodeByNode?: boolean } = {}): Tensor {
    const { x, y } = checkBatch('RNTN.loss', batch);
    if (y?.rank !== 1 || y.shape[0] !== x.shape[0]) {
      throw new ShapeError(
        `RNTN.loss: expected labels y [${x.shape[0]}] (one per node row), got ${y ? fmtShape(y.shape) : 'none'}`,
      );
    }
    const vectors = options.nodeByNode ? this.nodeVectorsNodeByNode(x) : this.nodeVectors(x);
    return crossEntropy(this.classifier.forward(vectors), y, { reduction: 'sum' });
  }

  /**
   * One step (ctx.optimizer, AdaGrad in the paper) on the summed node cross-entropy divided by the
   * number of trees, as the Stanford implementation scales a minibatch, plus the `wordDecay` L2 of
   * the minibatch's words. Logs `loss` (cross-entropy per tree) and `nodeLoss` (per node).
   */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const context = checkContext('RNTN.trainStep', ctx);
    const { x } = checkBatch('RNTN.trainStep', batch);
    const plan = this.plan(x);
    const total = this.loss(batch);
    const loss = mul(total, 1 / plan.roots.length);
    let objective = loss;
    if (this.wordDecay > 0) {
      const words = Int32Array.from(new Set(plan.leafWords));
      const vectors = this.embedding.forward(tensor(words, { shape: [words.length], dtype: 'int32' }));
      objective = add(loss, mul(sum(square(vectors)), this.wordDecay / 2));
    }
    context.minimize(objective);
    return { loss, nodeLoss: mul(total, 1 / x.shape[0]) };
  }

  /** The loss per tree and per node, without an update. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    checkContext('RNTN.evalStep', ctx);
    const { x } = checkBatch('RNTN.evalStep', batch);
    const total = this.loss(batch);
    return { loss: mul(total, 1 / this.plan(x).roots.length), nodeLoss: mul(total, 1 / x.shape[0]) };
  }

  override config(): LayerConfig {
    return {
      vocabulary: [...this.vocabulary],
      dim: this.dim,
      classes: this.classes,
      composition: this.composition,
      lowercase: this.lowercase,
      wordDecay: this.wordDecay,
      leafTanh: this.leafTanh,
    };
  }

  static fromConfig(config: LayerConfig): RNTN {
    return new RNTN(config as unknown as RntnOptions);
  }
}

registerLayer('RNTN', RNTN);

/**
 * Builds an {@link RNTN}: `rntn({vocabulary, dim: 25})` is Socher et al. 2013's model;
 * `rntn({vocabulary, composition: 'plain'})` the recursive network baseline.
 */
export function rntn(options: RntnOptions): RNTN {
  return new RNTN(options);
}
