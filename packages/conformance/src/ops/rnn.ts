import type { RecurrentWeights } from '@axon/layers';
import * as layersExports from '@axon/layers';
import { guardExports } from '../api';
import {
  bool,
  type CaseContext,
  type GroupMappings,
  num,
  type Outputs,
  optionalTensorArg,
  str,
  tensorArg,
} from '../mapping';

const layers = guardExports<typeof layersExports>('@axon/layers', layersExports);

/**
 * torch's flat parameters (weight_ih_l0, ..., bias_hh_l0_reverse) as the functional cores take
 * them: layer by layer, forward then reverse.
 */
function weightsOf(c: CaseContext): RecurrentWeights[] {
  const numLayers = num(c, 'num_layers', 1);
  const directions = bool(c, 'bidirectional', false) ? 2 : 1;
  const hasBias = bool(c, 'bias', true);
  const out: RecurrentWeights[] = [];
  for (let l = 0; l < numLayers; l++) {
    for (let d = 0; d < directions; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      out.push({
        weightIh: tensorArg(c, `weight_ih${sfx}`),
        weightHh: tensorArg(c, `weight_hh${sfx}`),
        biasIh: hasBias ? tensorArg(c, `bias_ih${sfx}`) : null,
        biasHh: hasBias ? tensorArg(c, `bias_hh${sfx}`) : null,
      });
    }
  }
  return out;
}

function options(c: CaseContext) {
  return {
    bidirectional: bool(c, 'bidirectional', false),
    batchFirst: bool(c, 'batch_first', false),
  };
}

export const rnn: GroupMappings = {
  RNN: {
    forward: (c): Outputs => {
      const nonlinearity = str(c, 'nonlinearity', ['tanh', 'relu'] as const, 'tanh');
      const r = layers.rnn(tensorArg(c, 'x'), optionalTensorArg(c, 'h0'), weightsOf(c), {
        ...options(c),
        nonlinearity,
      });
      return { output: r.output, h_n: r.hN };
    },
  },
  LSTM: {
    forward: (c): Outputs => {
      const r = layers.lstm(
        tensorArg(c, 'x'),
        optionalTensorArg(c, 'h0'),
        optionalTensorArg(c, 'c0'),
        weightsOf(c),
        options(c),
      );
      return { output: r.output, h_n: r.hN, c_n: r.cN };
    },
  },
  GRU: {
    forward: (c): Outputs => {
      const r = layers.gru(tensorArg(c, 'x'), optionalTensorArg(c, 'h0'), weightsOf(c), options(c));
      return { output: r.output, h_n: r.hN };
    },
  },
};
