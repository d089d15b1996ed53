/**
 * The model-zoo cases, run through the zoo's own models: the fixture's parameters are mapped onto a
 * model built from @axon/models (by state-dict name), the model's own loss is computed, and its
 * parameters' gradients (from `backward`, as training gets them) are compared with the golden
 * ones. So a case checks the model as users train it, not a re-derivation of its formula.
 */
import * as modelsExports from '@axon/models';
import { add, mul, sum } from '@axon/tensor';
import { guardExports } from '../api';
import { type CaseContext, type CustomMapping, type GroupMappings, tensorArg } from '../mapping';
import { fixtureTensor, need } from './zoo_fixture';
import { zooRbm } from './zoo_rbm';
import { rntnTreeLoss } from './zoo_rntn';

const models = guardExports<typeof modelsExports>('@axon/models', modelsExports);

/** The fixture's VAE parameters (torch nn.Linear layout) → the VAE's state-dict names. */
const VAE_PARAMS: Record<string, string> = {
  We: 'encoder.0.weight',
  be: 'encoder.0.bias',
  Wmu: 'mu.weight',
  bmu: 'mu.bias',
  Wlv: 'logVar.weight',
  blv: 'logVar.bias',
  Wd: 'decoder.0.weight',
  bd: 'decoder.0.bias',
  Wo: 'decoder.2.weight',
  bo: 'decoder.2.bias',
};

/**
 * A one-hidden-layer tanh VAE with a Bernoulli decoder, `vae({inputSize: D, hiddenSizes: [H],
 * latentSize: Z, activation: 'tanh'})`, given the case's weights and its ε: the outputs are
 * `negativeElbo(x, {eps}).loss` and the decoder's logits; the gradients those of
 * L = loss·R_loss + Σ logits ⊙ R_logits with respect to the model's parameters.
 */
const vaeNegativeElbo: CustomMapping = {
  check: (c: CaseContext) => {
    const fc = c.case;
    const x = tensorArg(c, 'x');
    const eps = tensorArg(c, 'eps');
    const [H, D] = tensorArg(c, 'We').shape;
    const Z = tensorArg(c, 'Wmu').shape[0];
    const model = models.vae({ inputSize: D, hiddenSizes: [H], latentSize: Z, activation: 'tanh' });
    try {
      model.loadStateDict(
        Object.fromEntries(Object.entries(VAE_PARAMS).map(([k, name]) => [name, tensorArg(c, k)])),
      );
      const { loss, terms } = model.negativeElbo(x, { eps });
      if (terms.decoded.kind !== 'bernoulli') throw new Error('the VAE did not build a Bernoulli decoder');
      const logits = terms.decoded.logits;
      const results = [
        { name: "output 'loss'", actual: loss, golden: need(fc.outputs, 'loss', 'output') },
        { name: "output 'logits'", actual: logits, golden: need(fc.outputs, 'logits', 'output') },
      ];
      const L = add(
        sum(mul(loss, fixtureTensor(need(fc.R, 'loss', 'R')))),
        sum(mul(logits, fixtureTensor(need(fc.R, 'logits', 'R')))),
      );
      L.backward();
      const params = model.stateDict();
      for (const [k, name] of Object.entries(VAE_PARAMS)) {
        const g = params[name].grad;
        if (!g) throw new Error(`no gradient reached ${name} (${k})`);
        // A copy: dispose() below frees the parameter's own gradient.
        results.push({ name: `grad '${k}'`, actual: g.clone(), golden: need(fc.grads, k, 'grad') });
      }
      return results;
    } finally {
      model.dispose();
    }
  },
};

export const zoo: GroupMappings = {
  vae_negative_elbo: vaeNegativeElbo,
  ...zooRbm,
  rntn_tree_loss: rntnTreeLoss,
};
