/**
 * DCGAN's weight initialisation (Radford et al. 2016, §4: "all weights were initialized from a
 * zero-centered Normal distribution with standard deviation 0.02"), as PyTorch's DCGAN tutorial
 * applies it with `net.apply(weights_init)`: convolution, transposed-convolution and linear weights
 * from N(0, 0.02²), batch norm's scale from N(1, 0.02²), every bias 0. Label embeddings keep their
 * own N(0, 1). Draws come from the seeded default generator, like every layer's own init.
 *
 * Why it is an option: on MNIST it lifts the DCGAN's early samples (inception score after 2 epochs
 * 5.46 against 4.85 with the layers' default init; examples/mnist-dcgan/README.md).
 */
import { BatchNormBase, Conv2d, ConvTranspose2d, Linear, type Module } from '@axon/layers';
import { assign, normal, type Tensor, tidy, zerosLike } from '@axon/tensor';

/** 'default' (each layer's own, PyTorch's) or 'dcgan' (N(0, 0.02) weights, see the file head). */
export const GAN_INITS = ['default', 'dcgan'] as const;
export type GanInit = (typeof GAN_INITS)[number];

const DCGAN_STD = 0.02;

/** Re-draws `module`'s weights in place with DCGAN's initialisation (see the file head). */
export function dcganInit(module: Module): void {
  const draw = (t: Tensor, mean: number) => assign(t, normal(t.shape, mean, DCGAN_STD));
  tidy(() =>
    module.apply((m) => {
      if (m instanceof Conv2d || m instanceof ConvTranspose2d || m instanceof Linear) {
        draw(m.weight, 0);
        if (m.bias) assign(m.bias, zerosLike(m.bias));
      } else if (m instanceof BatchNormBase) {
        if (m.weight) draw(m.weight, 1);
        if (m.bias) assign(m.bias, zerosLike(m.bias));
      }
    }),
  );
}
