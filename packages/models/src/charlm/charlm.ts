/**
 * A character-level recurrent language model (Karpathy's char-rnn): embedding → stacked LSTM or
 * GRU → dropout → linear over the vocabulary. It trains by truncated backpropagation through
 * time: its `trainStep` carries the recurrent state from one batch to the next, detached (the
 * gradient stops at the batch boundary, the memory does not), and resets it at each epoch's
 * start. Feed it batches whose rows continue each other (`streamBatches`). Sampling is in
 * `generate`, seeded.
 */
import { Dropout, Embedding, GRU, type LayerConfig, Linear, LSTM, Module, registerLayer } from '@axon/layers';
import {
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  checkProbability,
  crossEntropy,
  fmtShape,
  keep,
  narrow,
  reshape,
  ShapeError,
  type Tensor,
  tensor,
  tidy,
} from '@axon/tensor';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { inference } from './inference';
import { checkPrompt, checkSampling, type GenerateOptions, sampleNext } from './sampling';
import { checkTokens } from './tokens';

export const CHAR_LM_CELLS = ['lstm', 'gru'] as const;
export type CharLmCell = (typeof CHAR_LM_CELLS)[number];

export interface CharLmOptions {
  /** Distinct tokens (characters). */
  vocabSize: number;
  /** Width of the token embedding. */
  embeddingDim: number;
  /** Units of each recurrent layer. */
  hiddenSize: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** 'lstm' (default) or 'gru'. */
  cell?: CharLmCell;
  /** Dropout between recurrent layers and before the output layer, in training (default 0). */
  dropout?: number;
}

/** The recurrent state: h [L, B, H], and for an LSTM the cell state c [L, B, H]. */
export interface RecurrentState {
  h: Tensor;
  c: Tensor | null;
}

/**
 * The char-rnn model. Children: `embedding` (Embedding [V, E]), `rnn` (LSTM or GRU, batch first,
 * torch's parameter names), `drop`, `head` (Linear H → V). x [B, T] int32 → logits [B, T, V].
 * Registered as 'CharLM', so `save`/`load` rebuild it; the carried state is not saved.
 */
export class CharLM extends Module implements SteppedModel {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly cell: CharLmCell;
  readonly dropout: number;
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU;
  readonly drop: Dropout;
  readonly head: Linear;
  /** The states carried between training steps and between evaluation steps, kept apart. */
  private readonly carried: { train: RecurrentState | null; eval: RecurrentState | null } = {
    train: null,
    eval: null,
  };

  constructor(options: CharLmOptions) {
    super();
    const fn = 'charLM';
    const o = checkOptions(fn, options);
    this.vocabSize = checkPositiveInt(fn, 'vocabSize', o.vocabSize);
    this.embeddingDim = checkPositiveInt(fn, 'embeddingDim', o.embeddingDim);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', o.hiddenSize);
    this.numLayers = checkPositiveInt(fn, 'numLayers', o.numLayers ?? 1);
    this.cell = checkOneOf(fn, 'cell', o.cell ?? 'lstm', CHAR_LM_CELLS);
    this.dropout = checkProbability(fn, 'dropout', o.dropout ?? 0);
    this.embedding = this.addModule('embedding', new Embedding(this.vocabSize, this.embeddingDim));
    const Layer = this.cell === 'lstm' ? LSTM : GRU;
    this.rnn = this.addModule(
      'rnn',
      new Layer(this.embeddingDim, this.hiddenSize, {
        numLayers: this.numLayers,
        batchFirst: true,
        dropout: this.numLayers > 1 ? this.dropout : 0,
      }),
    );
    this.drop = this.addModule('drop', new Dropout(this.dropout));
    this.head = this.addModule('head', new Linear(this.hiddenSize, this.vocabSize));
  }

  /** x [B, T] int32 → logits [B, T, vocabSize], from a zero state. */
  forward(x: Tensor): Tensor {
    return this.forwardState(x).logits;
  }

  /**
   * x [B, T] int32, starting from `state` (zeros when absent) → the logits [B, T, vocabSize] and
   * the state after the last step. Running two halves in turn, the second from the first's
   * state, gives the logits of running the whole sequence at once.
   */
  forwardState(x: Tensor, state: RecurrentState | null = null): { logits: Tensor; state: RecurrentState } {
    checkTokens('CharLM', 'x', x);
    const e = this.embedding.forward(x);
    let output: Tensor;
    let next: RecurrentState;
    if (this.rnn instanceof LSTM) {
      const r = this.rnn.forward(e, state?.h, state?.c);
      output = r.output;
      next = { h: r.hN, c: r.cN };
    } else {
      const r = this.rnn.forward(e, state?.h);
      output = r.output;
      next = { h: r.hN, c: null };
    }
    return { logits: this.head.forward(this.drop.forward(output)), state: next };
  }

  /** Forgets the carried training and evaluation states (fit's steps also do so at each epoch's start). */
  resetState(): void {
    for (const key of ['train', 'eval'] as const) this.setCarried(key, null);
  }

  /**
   * One step of truncated BPTT: the mean next-token cross-entropy of `batch.x` → `batch.y` (both
   * [B, T] int32), run from the state the previous step left (zeros at batch 0 of an epoch, or
   * when B changes), then `ctx.minimize`. The final state is kept, detached, for the next step.
   */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const context = checkContext('CharLM.trainStep', ctx);
    return { loss: this.carriedLoss('train', 'CharLM.trainStep', batch, context) };
  }

  /** As trainStep without the update; the evaluation state is carried separately. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const context = checkContext('CharLM.evalStep', ctx);
    return { loss: this.carriedLoss('eval', 'CharLM.evalStep', batch, context) };
  }

  private carriedLoss(key: 'train' | 'eval', owner: string, batch: StepBatch, ctx: StepContext): Tensor {
    const { x, y } = checkBatch(owner, batch);
    checkTokens(owner, 'batch.x', x);
    const target = checkTokens(owner, 'batch.y', y);
    if (target.shape.join() !== x.shape.join()) {
      throw new ShapeError(
        `${owner}: expected batch.y to have batch.x's shape ${fmtShape(x.shape)} (next-token targets), got ${fmtShape(target.shape)}`,
      );
    }
    let state = this.carried[key];
    if (ctx.batch === 0 || (state && state.h.shape[1] !== x.shape[0])) state = null;
    const { logits, state: next } = this.forwardState(x, state);
    const [B, T] = x.shape;
    const loss = crossEntropy(reshape(logits, [B * T, this.vocabSize]), reshape(target, [B * T]));
    if (key === 'train') ctx.minimize(loss);
    this.setCarried(key, { h: next.h.detach(), c: next.c ? next.c.detach() : null });
    return loss;
  }

  private setCarried(key: 'train' | 'eval', state: RecurrentState | null): void {
    const old = this.carried[key];
    if (old) {
      old.h.dispose();
      old.c?.dispose();
    }
    if (state) {
      keep(state.h);
      if (state.c) keep(state.c);
    }
    this.carried[key] = state;
  }

  /**
   * `options.length` new token ids after `prompt` (ids in [0, vocabSize)): the prompt is run
   * through the network, then each drawn token is fed back, one step at a time with the state
   * carried. Draws use `options.generator` (seeded: the same seed gives the same text) with the
   * given temperature and top-k cut. Runs in eval mode (no dropout) without gradients.
   */
  generate(prompt: ArrayLike<number>, options: GenerateOptions): number[] {
    const ids = checkPrompt('CharLM.generate', prompt, this.vocabSize);
    const config = checkSampling('CharLM.generate', options, this.vocabSize);
    const out: number[] = [];
    inference(this, () => {
      let state: RecurrentState | null = null;
      let input = tensor(Int32Array.from(ids), { shape: [1, ids.length], dtype: 'int32' });
      for (let i = 0; i < config.length; i++) {
        const step: { id: number; state: RecurrentState } = tidy(() => {
          const r = this.forwardState(input, state);
          const last = reshape(narrow(r.logits, 1, r.logits.shape[1] - 1, 1), [1, this.vocabSize]);
          return { id: sampleNext(last, config).dataSync()[0], state: r.state };
        });
        // Free the state and input this step replaces: memory stays flat however long the text.
        if (state) {
          state.h.dispose();
          state.c?.dispose();
        }
        input.dispose();
        state = step.state;
        out.push(step.id);
        input = tensor(Int32Array.of(step.id), { shape: [1, 1], dtype: 'int32' });
      }
    });
    return out;
  }

  override config(): LayerConfig {
    return {
      vocabSize: this.vocabSize,
      embeddingDim: this.embeddingDim,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      cell: this.cell,
      dropout: this.dropout,
    };
  }

  static fromConfig(config: LayerConfig): CharLM {
    return new CharLM(config as unknown as CharLmOptions);
  }

  override dispose(): void {
    this.resetState();
    super.dispose();
  }
}

registerLayer('CharLM', CharLM);

/**
 * Builds a {@link CharLM}: embedding → `numLayers` of LSTM/GRU → dropout → linear, x [B, T] int32
 * → logits [B, T, vocabSize]. Throws ValueError naming `charLM` for a bad option.
 */
export function charLM(options: CharLmOptions): CharLM {
  return new CharLM(options);
}
