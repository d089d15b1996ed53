/**
 * The tfjs gradients the bench needs, registered with tfjs-core's public `registerGradient`: Sum,
 * Multiply and Conv2D for the conv2d case; for the --peers training steps Add (with
 * broadcasting), BatchMatMul, Relu, Mean, Reshape, MaxPool, Sigmoid, Tanh, SplitV, Pack and
 * Unpack. (The loss, `tf.losses.softmaxCrossEntropy`, carries its own gradient through
 * `customGrad`.)
 *
 * Why: tfjs-core ships its gradient definitions only as separate ES modules for bundlers (the
 * `@tensorflow/tfjs` umbrella package imports them); its Node build has none, and those modules
 * cannot be loaded by Node directly. Each gradient here is tfjs's own (tfjs-core 4.22's
 * `src/gradients/*_grad.ts`) written with the public ops, so it dispatches to the same backend
 * kernels that tfjs's would and the timing measures tfjs's kernels. A gradient tfjs already has
 * is left alone.
 */
import * as tf from '@tensorflow/tfjs-core';

function sameShape(kernel: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new Error(
      `bench: the ${kernel} gradient here handles equal shapes only, got [${a.shape}] and [${b.shape}]`,
    );
  }
}

/** dy summed over the axes that broadcasting added to `x`, in x's shape (tfjs's Add_grad). */
function unbroadcast(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(x.shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, x.shape);
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
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(dy as tf.Tensor, a),
      b: () => unbroadcast(dy as tf.Tensor, b),
    }),
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dyT, [a, b], attrs) => {
      const dy = dyT as tf.Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB)
        return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
      if (!transposeA && transposeB)
        return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
      if (transposeA && !transposeB)
        return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
      return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
    },
  },
  {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.cast(tf.step(x), 'float32')) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const reduceSize = axes.reduce((n, axis) => n * x.shape[axis], 1);
      return {
        x: () => {
          const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
          return tf.div(
            tf.mul(tf.reshape(dy as tf.Tensor, expanded), tf.ones(x.shape, 'float32')),
            reduceSize,
          );
        },
      };
    },
  },
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x.shape) }),
  },
  {
    kernelName: 'MaxPool',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const { filterSize, strides, pad } = attrs as {
        filterSize: [number, number] | number;
        strides: [number, number] | number;
        pad: 'valid' | 'same' | number;
      };
      return {
        x: () =>
          tf.engine().runKernel(
            'MaxPoolGrad',
            { dy: dy as tf.Tensor, input: x, output: y },
            {
              filterSize,
              strides,
              pad,
            },
          ),
      };
    },
  },
  {
    kernelName: 'Sigmoid',
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(tf.scalar(1), y))) }),
  },
  {
    kernelName: 'Tanh',
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy as tf.Tensor) }),
  },
  {
    kernelName: 'SplitV',
    gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs.axis as number) }),
  },
  {
    kernelName: 'Pack',
    saveAllInputs: true,
    gradFunc: (dy, _saved, attrs) => {
      const parts = tf.unstack(dy as tf.Tensor, attrs.axis as number);
      return Object.fromEntries(parts.map((t, i) => [i, () => t]));
    },
  },
  {
    kernelName: 'Unpack',
    gradFunc: (dy, _saved, attrs) => ({ value: () => tf.stack(dy as tf.Tensor[], attrs.axis as number) }),
  },
];

export function registerTfGradients(): void {
  for (const config of configs) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
