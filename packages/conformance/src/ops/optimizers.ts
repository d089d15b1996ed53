import * as optimExports from '@axon/optim';
import { ax, guardExports, type Tensor } from '../api';
import type { FixtureTensor, TensorMap } from '../fixture';
import { type CaseContext, type CustomMapping, type GroupMappings, Unsupported } from '../mapping';

const optim = guardExports<typeof optimExports>('@axon/optim', optimExports);

type OptimizerClass = 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';

/** torch's keyword names → Axon's option names. */
const OPTION_NAMES: Record<string, string> = {
  lr: 'lr',
  momentum: 'momentum',
  dampening: 'dampening',
  nesterov: 'nesterov',
  weight_decay: 'weightDecay',
  betas: 'betas',
  eps: 'eps',
  amsgrad: 'amsgrad',
  alpha: 'alpha',
  centered: 'centered',
  lr_decay: 'lrDecay',
  initial_accumulator_value: 'initialAccumulatorValue',
};

function optionsOf(ctx: CaseContext): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctx.hyper)) {
    const name = OPTION_NAMES[key];
    if (!name) throw new Unsupported(`hyperparameter '${key}' has no Axon option`);
    options[name] = value;
  }
  return options;
}

function floatTensor(t: FixtureTensor): Tensor {
  return ax.tensor(t.data, { shape: t.shape, dtype: 'float32' });
}

/**
 * An optimizer case: build the parameters from `params_init`; at step t set each `.grad` to
 * `grads_per_step[t-1]`, call `step()`, and compare every parameter with `params_after_step[t-1]`.
 */
function optimizerCase(cls: OptimizerClass): CustomMapping {
  return {
    check(ctx) {
      const c = ctx.case;
      const order = c.param_order as string[];
      const init = c.params_init as TensorMap;
      const gradsPerStep = c.grads_per_step as TensorMap[];
      const after = c.params_after_step as TensorMap[];
      const params = order.map((name) => floatTensor(init[name]));
      const Ctor = optim[cls] as new (
        params: Tensor[],
        options: Record<string, unknown>,
      ) => optimExports.Optimizer;
      const opt = new Ctor(params, optionsOf(ctx));
      const results: { name: string; actual: Tensor; golden: FixtureTensor }[] = [];
      try {
        gradsPerStep.forEach((grads, t) => {
          order.forEach((name, i) => {
            params[i].grad = floatTensor(grads[name]);
          });
          opt.step();
          order.forEach((name, i) => {
            results.push({
              name: `step ${t + 1} param '${name}'`,
              actual: params[i].clone(),
              golden: after[t][name],
            });
          });
        });
      } finally {
        opt.zeroGrad();
        opt.dispose();
      }
      return results;
    },
  };
}

export const optimizers: GroupMappings = {
  'optim.SGD': optimizerCase('SGD'),
  'optim.Adam': optimizerCase('Adam'),
  'optim.AdamW': optimizerCase('AdamW'),
  'optim.RMSprop': optimizerCase('RMSprop'),
  'optim.Adagrad': optimizerCase('Adagrad'),
};
