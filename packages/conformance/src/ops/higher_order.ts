/**
 * Second-order autograd: each case differentiates through a gradient. The runner's own backward
 * (for the case's `grads`) then differentiates once more, so the gradient penalty's parameter
 * grads and the grad-of-grad's second derivatives test `createGraph` end to end.
 */
import * as autogradExports from '@axon/autograd';
import { ax, guardExports, type Tensor } from '../api';
import type { GroupMappings } from '../mapping';
import { tensorArg } from '../mapping';

const autograd = guardExports<typeof autogradExports>('@axon/autograd', autogradExports);

export const higherOrder: GroupMappings = {
  // WGAN-GP: xh = α x_real + (1 − α) x_fake; D(x) = tanh(x W1ᵀ + b1) W2ᵀ + b2; mean((‖∂D/∂xh‖₂ − 1)²).
  gradient_penalty: {
    forward: (c) => {
      const [xReal, xFake, alpha] = ['x_real', 'x_fake', 'alpha'].map((n) => tensorArg(c, n));
      const [W1, b1, W2, b2] = ['W1', 'b1', 'W2', 'b2'].map((n) => tensorArg(c, n));
      const xh = ax.add(ax.mul(alpha, xReal), ax.mul(ax.sub(1, alpha), xFake));
      const critic = (x: Tensor) =>
        ax.sum(
          ax.add(
            ax.matmul(ax.tanh(ax.add(ax.matmul(x, W1, { transposeB: true }), b1)), W2, { transposeB: true }),
            b2,
          ),
        );
      const [gx] = autograd.grad(critic, { createGraph: true })(xh);
      const norms = ax.sqrt(ax.sum(ax.square(gx), [1]));
      return { out: ax.mean(ax.square(ax.sub(norms, 1))) };
    },
  },
  // H v for f(x) = Σ tanh(x W)²: the gradient of ⟨∇f(x), v⟩.
  hvp: {
    forward: (c) => {
      const [x, v, W] = ['x', 'v', 'W'].map((n) => tensorArg(c, n));
      const f = (t: Tensor) => ax.sum(ax.square(ax.tanh(ax.matmul(t, W))));
      const gv = (t: Tensor) => ax.sum(ax.mul(autograd.grad(f, { createGraph: true })(t)[0], v));
      return { out: autograd.grad(gv, { createGraph: true })(x)[0] };
    },
  },
  // d/dx Σ sigmoid(x)³, kept differentiable so the runner's grads are second derivatives.
  grad_of_sum: {
    forward: (c) => {
      const f = (t: Tensor) => ax.sum(ax.pow(ax.sigmoid(t), 3));
      return { out: autograd.grad(f, { createGraph: true })(tensorArg(c, 'x'))[0] };
    },
  },
};
