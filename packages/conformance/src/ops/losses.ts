import { ax, type Reduction } from '../api';
import {
  type CaseContext,
  compact,
  type GroupMappings,
  num,
  optionalNum,
  optionalTensorArg,
  str,
  tensorArg,
} from '../mapping';

const reduction = (c: CaseContext): Reduction => str(c, 'reduction', ['none', 'mean', 'sum'], 'mean');

/**
 * Class weights and pos_weight come as inputs without a `grads` entry (constants); targets are
 * float for mse/bce/hinge and int32 class indices for cross_entropy/nll/multi_margin.
 */
export const losses: GroupMappings = {
  mse_loss: {
    forward: (c) => ({
      out: ax.mse(tensorArg(c, 'input'), tensorArg(c, 'target'), { reduction: reduction(c) }),
    }),
  },
  binary_cross_entropy: {
    forward: (c) => ({
      out: ax.binaryCrossEntropy(
        tensorArg(c, 'input'),
        tensorArg(c, 'target'),
        compact({
          weight: optionalTensorArg(c, 'weight'),
          reduction: reduction(c),
        }),
      ),
    }),
  },
  binary_cross_entropy_with_logits: {
    forward: (c) => ({
      out: ax.binaryCrossEntropyWithLogits(
        tensorArg(c, 'input'),
        tensorArg(c, 'target'),
        compact({
          weight: optionalTensorArg(c, 'weight'),
          posWeight: optionalTensorArg(c, 'pos_weight'),
          reduction: reduction(c),
        }),
      ),
    }),
  },
  cross_entropy: {
    forward: (c) => ({
      out: ax.crossEntropy(
        tensorArg(c, 'input'),
        tensorArg(c, 'target'),
        compact({
          weight: optionalTensorArg(c, 'weight'),
          reduction: reduction(c),
          labelSmoothing: optionalNum(c, 'label_smoothing'),
          ignoreIndex: optionalNum(c, 'ignore_index'),
        }),
      ),
    }),
  },
  nll_loss: {
    forward: (c) => ({
      out: ax.nll(
        tensorArg(c, 'input'),
        tensorArg(c, 'target'),
        compact({
          weight: optionalTensorArg(c, 'weight'),
          reduction: reduction(c),
          ignoreIndex: optionalNum(c, 'ignore_index'),
        }),
      ),
    }),
  },
  // The VAE term -0.5 Σ(1 + logvar − mu² − exp(logvar)); 'batchmean' divides the sum by N.
  kl_diag_gaussian: {
    forward: (c) => ({
      out: ax.klDivGaussian(tensorArg(c, 'mu'), tensorArg(c, 'logvar'), {
        reduction: str(c, 'reduction', ['sum', 'mean', 'batchmean'], 'sum'),
      }),
    }),
  },
  // The SVM hinge mean(max(0, margin − y·x)), not torch's HingeEmbeddingLoss.
  hinge_loss: {
    forward: (c) => ({
      out: ax.hinge(tensorArg(c, 'input'), tensorArg(c, 'target'), {
        margin: num(c, 'margin', 1),
        reduction: reduction(c),
      }),
    }),
  },
  multi_margin_loss: {
    forward: (c) => {
      const p = num(c, 'p', 1);
      if (p !== 1 && p !== 2) throw new Error(`${c.case.id}: hyper.p should be 1 or 2, got ${p}`);
      return {
        out: ax.multiMargin(
          tensorArg(c, 'input'),
          tensorArg(c, 'target'),
          compact({
            p: p as 1 | 2,
            margin: num(c, 'margin', 1),
            weight: optionalTensorArg(c, 'weight'),
            reduction: reduction(c),
          }),
        ),
      };
    },
  },
};
