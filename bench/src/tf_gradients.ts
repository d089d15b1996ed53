/**
 * The three tfjs gradients the conv2d case needs (Sum, Multiply, Conv2D), registered with
 * tfjs-core's public `registerGradient`.
 *
 * Why: tfjs-core ships its gradient definitions only as separate ES modules for bundlers (the
 * `@tensorflow/tfjs` umbrella package imports them); its Node build has none, and those modules
 * cannot be loaded by Node directly. Each gradient here dispatches to the same backend kernels
 * that tfjs's own would (elementwise multiply, Conv2DBackpropInput, Conv2DBackpropFilter), so the
 * timing measures tfjs's kernels. A gradient tfjs already has is left alone.
 */
import * as tf from '@tensorflow/tfjs-core';

function sameShape(kernel: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new Error(
      `bench: the ${kernel} gradient here handles equal shapes only, got [${a.shape}] and [${b.shape}]`,
    );
  }
}

const configs: tf.GradConfig[] = [
  {
    // y = sum(x) over all axes (the only use here): dx = dy broadcast to x's shape.
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      if (attrs.keepDims || (dy as tf.Tensor).rank !== 0) {
        throw new Error('bench: the Sum gradient here handles a full reduction to a scalar only');
      }
      return { x: () => tf.mul(tf.onesLike(x), dy as tf.Tensor) };
    },
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => {
      sameShape('Multiply', a, b);
      return { a: () => tf.mul(dy as tf.Tensor, b), b: () => tf.mul(dy as tf.Tensor, a) };
    },
  },
  {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, [x, filter], attrs) => {
      // The backprop kernels take the forward attributes, less dilations (1 here), plus a shape.
      const { dilations: _, ...common } = attrs;
      return {
        x: () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: dy as tf.Tensor, filter },
              { ...common, inputShape: x.shape },
            ),
        filter: () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x, dy: dy as tf.Tensor },
              { ...common, filterShape: filter.shape },
            ),
      };
    },
  },
];

export function registerTfGradients(): void {
  for (const config of configs) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
