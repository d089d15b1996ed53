/**
 * The RBM cases of the model-zoo group, run through the RBM's own methods: the fixture's W [V, H],
 * bv and bh become an `rbm` Module's `weight`, `visibleBias` and `hiddenBias`; the free energy is
 * `freeEnergy(v)` (gradients from `backward`, for v and the parameters), and the mean-field CD
 * statistics are what `contrastiveDivergence(v0, {k, meanField: true})` gives: the chain's end
 * vk, hk, and the update (dW, dbv, dbh) as minus the gradient of its loss, which is how training
 * applies it. So a case checks the model as users train it.
 */
import * as modelsExports from '@axon/models';
import { mul, neg, sum, type Tensor } from '@axon/tensor';
import { guardExports } from '../api';
import { type CaseContext, type CustomMapping, num, str, tensorArg } from '../mapping';
import { fixtureTensor, need } from './zoo_fixture';

const models = guardExports<typeof modelsExports>('@axon/models', modelsExports);

/** The fixture's parameter names → the RBM's state-dict names. */
const RBM_PARAMS: Record<string, string> = { W: 'weight', bv: 'visibleBias', bh: 'hiddenBias' };

/** An RBM of the case's size and visible units, holding the case's W, bv and bh. */
function caseRbm(c: CaseContext, visible: 'bernoulli' | 'gaussian'): modelsExports.RBM {
  const [V, H] = tensorArg(c, 'W').shape;
  const model = models.rbm({ visibleSize: V, hiddenSize: H, visible });
  model.loadStateDict(
    Object.fromEntries(Object.entries(RBM_PARAMS).map(([k, name]) => [name, tensorArg(c, k)])),
  );
  return model;
}

/** F(v) = −v·bv − Σ softplus(vW + bh) (or ½‖v − bv‖² − …): output `out`, gradients of Σ F ⊙ R. */
const rbmFreeEnergy: CustomMapping = {
  check: (c: CaseContext) => {
    const fc = c.case;
    const visible = str(c, 'visible', ['bernoulli', 'gaussian'] as const, 'bernoulli');
    if (visible === 'gaussian' && num(c, 'sigma', 1) !== 1)
      throw new Error('only unit-variance Gaussian units exist');
    const model = caseRbm(c, visible);
    const v = tensorArg(c, 'v').clone();
    v.requiresGrad = true;
    try {
      const out = model.freeEnergy(v);
      const results = [{ name: "output 'out'", actual: out, golden: need(fc.outputs, 'out', 'output') }];
      const R = need(fc.R, 'out', 'R');
      sum(mul(out, fixtureTensor(R))).backward();
      const grads: Record<string, Tensor | null> = { v: v.grad };
      for (const [k, name] of Object.entries(RBM_PARAMS)) grads[k] = model.stateDict()[name].grad;
      for (const [k, g] of Object.entries(grads)) {
        if (!g) throw new Error(`no gradient reached ${k}`);
        results.push({ name: `grad '${k}'`, actual: g.clone(), golden: need(fc.grads, k, 'grad') });
      }
      return results;
    } finally {
      // Copies went into the results: the input's own gradient and the model's go here.
      v.grad?.dispose();
      model.dispose();
    }
  },
};

/** Mean-field CD-k: vk, hk and the ascent direction dW, dbv, dbh = −∂loss/∂(W, bv, bh). */
const rbmCdMeanfield: CustomMapping = {
  check: (c: CaseContext) => {
    const fc = c.case;
    const model = caseRbm(c, 'bernoulli');
    try {
      const { loss, vk, hk } = model.contrastiveDivergence(tensorArg(c, 'v0'), {
        k: num(c, 'k'),
        meanField: true,
      });
      loss.backward();
      const results = [
        { name: "output 'vk'", actual: vk, golden: need(fc.outputs, 'vk', 'output') },
        { name: "output 'hk'", actual: hk, golden: need(fc.outputs, 'hk', 'output') },
      ];
      const update: Record<string, string> = { dW: 'weight', dbv: 'visibleBias', dbh: 'hiddenBias' };
      for (const [k, name] of Object.entries(update)) {
        const g = model.stateDict()[name].grad;
        if (!g) throw new Error(`no gradient reached ${name}`);
        results.push({ name: `output '${k}'`, actual: neg(g), golden: need(fc.outputs, k, 'output') });
      }
      return results;
    } finally {
      model.dispose();
    }
  },
};

export const zooRbm = {
  rbm_free_energy: rbmFreeEnergy,
  rbm_cd_meanfield: rbmCdMeanfield,
};
