import * as layersExports from '@axon/layers';
import { ax, guardExports } from '../api';
import {
  bool,
  type CaseContext,
  type GroupMappings,
  ints,
  num,
  type OpMapping,
  optionalTensorArg,
  tensorArg,
} from '../mapping';

const layers = guardExports<typeof layersExports>('@axon/layers', layersExports);

/**
 * batch_norm1d / batch_norm2d go through `batchNorm(x, runningMean, runningVar, weight, bias,
 * {training, momentum, eps})`, which updates the running statistics in place when training. The
 * mapping updates copies of the fixture's buffers (the runner calls it twice with the same
 * inputs) and returns them as `running_mean_after` / `running_var_after`.
 */
function batchNormCase(c: CaseContext) {
  const training = bool(c, 'training', false);
  const runningMean = ax.add(tensorArg(c, 'running_mean'), 0);
  const runningVar = ax.add(tensorArg(c, 'running_var'), 0);
  const out = layers.batchNorm(
    tensorArg(c, 'x'),
    runningMean,
    runningVar,
    optionalTensorArg(c, 'weight') ?? null,
    optionalTensorArg(c, 'bias') ?? null,
    { training, momentum: num(c, 'momentum', 0.1), eps: num(c, 'eps', 1e-5) },
  );
  return { out, running_mean_after: runningMean, running_var_after: runningVar };
}

const batchNorm: OpMapping = { forward: batchNormCase };

export const normalization: GroupMappings = {
  batch_norm1d: batchNorm,
  batch_norm2d: batchNorm,
  layer_norm: {
    forward: (c) => ({
      out: layers.layerNorm(
        tensorArg(c, 'x'),
        ints(c, 'normalized_shape'),
        optionalTensorArg(c, 'weight') ?? null,
        optionalTensorArg(c, 'bias') ?? null,
        num(c, 'eps', 1e-5),
      ),
    }),
  },
};
