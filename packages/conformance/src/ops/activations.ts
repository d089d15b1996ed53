import { ax } from '../api';
import { type GroupMappings, num, type OpMapping, str, tensorArg } from '../mapping';

const simple = (name: 'sigmoid' | 'tanh' | 'relu'): OpMapping => ({
  forward: (c) => ({ out: ax[name](tensorArg(c, 'x')) }),
});

export const relu = simple('relu');

export const leakyRelu: OpMapping = {
  forward: (c) => ({ out: ax.leakyRelu(tensorArg(c, 'x'), num(c, 'negative_slope', 0.01)) }),
};

/** torch.heaviside(x, v): 1 above zero, 0 below, v at zero. */
const heaviside: OpMapping = {
  forward: (c) => ({ out: ax.heaviside(tensorArg(c, 'x'), num(c, 'value_at_zero')) }),
};

export const activations: GroupMappings = {
  sigmoid: simple('sigmoid'),
  tanh: simple('tanh'),
  relu,
  leaky_relu: leakyRelu,
  elu: { forward: (c) => ({ out: ax.elu(tensorArg(c, 'x'), num(c, 'alpha', 1)) }) },
  gelu: {
    forward: (c) => ({ out: ax.gelu(tensorArg(c, 'x'), str(c, 'approximate', ['none', 'tanh'], 'none')) }),
  },
  softplus: {
    forward: (c) => ({ out: ax.softplus(tensorArg(c, 'x'), num(c, 'beta', 1), num(c, 'threshold', 20)) }),
  },
  softmax: { forward: (c) => ({ out: ax.softmax(tensorArg(c, 'x'), num(c, 'dim', -1)) }) },
  log_softmax: { forward: (c) => ({ out: ax.logSoftmax(tensorArg(c, 'x'), num(c, 'dim', -1)) }) },
  // Axon's step is heaviside with 0 at zero; a fixture asking for another value goes to heaviside.
  step: {
    forward: (c) =>
      num(c, 'value_at_zero', 0) === 0 ? { out: ax.step(tensorArg(c, 'x')) } : heaviside.forward(c),
  },
  heaviside,
};
