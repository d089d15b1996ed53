import {
  arange,
  DTypeError,
  eq,
  fmtShape,
  indexSelect,
  op,
  randn,
  reshape,
  ShapeError,
  type Tensor,
  tidy,
  unsqueeze,
  ValueError,
  where,
} from '@axon/tensor';
import '@axon/autograd';
import { reserveElements } from '../allocation';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import { checkInt, checkTensor, show } from './conv_args';

/**
 * torch.nn.functional.embedding: out[..., :] = weight[indices[...], :], of shape indices.shape +
 * [embeddingDim]. Repeated indices accumulate into the same gradient row. With `paddingIdx`, that
 * row receives no gradient (its lookups are cut from the graph). `indices` are int32 (or floats
 * holding whole numbers) in [0, numEmbeddings).
 */
export const embedding = op((indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor => {
  checkTensor('embedding', indices, 'indices');
  checkTensor('embedding', weight, 'weight');
  if (indices.dtype === 'bool') throw new DTypeError('embedding: expected int32 indices, got bool');
  if (weight.rank !== 2) {
    throw new ShapeError(
      `embedding: expected weight of rank 2 [numEmbeddings, embeddingDim], got ${fmtShape(weight.shape)}`,
    );
  }
  const [num, dim] = weight.shape;
  const pad = paddingIndex('embedding', paddingIdx, num);
  let rows: Tensor;
  try {
    rows = indexSelect(weight, 0, reshape(indices, [indices.size]));
  } catch (e) {
    // Out-of-range or fractional indices: say which op the user called.
    if (e instanceof ValueError || e instanceof DTypeError) {
      const Err = e instanceof ValueError ? ValueError : DTypeError;
      throw new Err(`embedding (weight ${fmtShape(weight.shape)}): ${e.message}`);
    }
    throw e;
  }
  let out = reshape(rows, [...indices.shape, dim]);
  if (pad !== null) {
    const isPad = unsqueeze(eq(indices, pad), -1);
    out = where(isPad, out.detach(), out);
  }
  return out;
});

/** A paddingIdx in [−num, num), made non-negative (torch's rule), or null. */
function paddingIndex(layer: string, paddingIdx: unknown, num: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (
    typeof paddingIdx !== 'number' ||
    !Number.isInteger(paddingIdx) ||
    paddingIdx < -num ||
    paddingIdx >= num
  ) {
    throw new ValueError(
      `${layer}: expected paddingIdx to be an integer in [-${num}, ${num}) for ${num} embeddings, got ${show(paddingIdx)}`,
    );
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

export interface EmbeddingOptions {
  /** A row that stays zero at init and receives no gradient (a padding token). */
  paddingIdx?: number | null;
}

/**
 * torch.nn.Embedding(numEmbeddings, embeddingDim, {paddingIdx}): a lookup table weight
 * [numEmbeddings, embeddingDim], initialised N(0, 1) with the paddingIdx row zeroed.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Non-negative, or null. */
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = checkInt('Embedding', 'numEmbeddings', numEmbeddings, 1);
    this.embeddingDim = checkInt('Embedding', 'embeddingDim', embeddingDim, 1);
    const pad = paddingIndex('Embedding', options.paddingIdx, numEmbeddings);
    this.paddingIdx = pad;
    reserveElements('Embedding', [[numEmbeddings, embeddingDim]]);
    this.weight = this.addParameter(
      'weight',
      tidy(() => {
        const w = randn([numEmbeddings, embeddingDim]);
        if (pad === null) return w;
        return where(unsqueeze(eq(arange(0, numEmbeddings, 1, 'int32'), pad), 1), 0, w);
      }),
    );
  }

  forward(indices: Tensor): Tensor {
    checkTensor('Embedding', indices, 'indices');
    if (indices.dtype !== 'int32') {
      throw new DTypeError(
        `Embedding: expected int32 indices, got ${indices.dtype} ${fmtShape(indices.shape)}`,
      );
    }
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override config(): LayerConfig {
    return {
      numEmbeddings: this.numEmbeddings,
      embeddingDim: this.embeddingDim,
      paddingIdx: this.paddingIdx,
    };
  }

  static fromConfig(c: LayerConfig): Embedding {
    return new Embedding(c.numEmbeddings as number, c.embeddingDim as number, {
      paddingIdx: c.paddingIdx as number | null | undefined,
    });
  }
}

registerLayer('Embedding', Embedding);
