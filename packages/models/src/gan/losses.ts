/**
 * The adversarial losses, as pure functions of the discriminator's outputs, so that the GAN's step
 * and a user's own loop compute them the same way:
 *
 * - the original minimax discriminator loss and the non-saturating generator loss (Goodfellow et
 *   al. 2014, §3): the generator maximises log D(G(z)) instead of minimising log(1 − D(G(z))),
 *   which keeps its gradient alive while the discriminator wins;
 * - the Wasserstein critic and generator losses (Arjovsky et al. 2017), used with the gradient
 *   penalty of gradient_penalty.ts (Gulrajani et al. 2017).
 */
import {
  add,
  binaryCrossEntropyWithLogits,
  mean,
  neg,
  onesLike,
  sub,
  type Tensor,
  zerosLike,
} from '@axon/tensor';

/**
 * −mean log σ(D(x)) − mean log(1 − σ(D(G(z)))), from the discriminator's logits on real and fake
 * examples: binary cross-entropy with target 1 for real and 0 for fake, each averaged.
 */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor): Tensor {
  return add(
    binaryCrossEntropyWithLogits(realLogits, onesLike(realLogits)),
    binaryCrossEntropyWithLogits(fakeLogits, zerosLike(fakeLogits)),
  );
}

/** The non-saturating generator loss −mean log σ(D(G(z))) (BCE with target 1 on the fakes' logits). */
export function nonSaturatingGeneratorLoss(fakeLogits: Tensor): Tensor {
  return binaryCrossEntropyWithLogits(fakeLogits, onesLike(fakeLogits));
}

/** The critic's loss mean D(G(z)) − mean D(x): minimising it widens the estimated Wasserstein distance. */
export function wassersteinCriticLoss(realScores: Tensor, fakeScores: Tensor): Tensor {
  return sub(mean(fakeScores), mean(realScores));
}

/** The generator's Wasserstein loss −mean D(G(z)). */
export function wassersteinGeneratorLoss(fakeScores: Tensor): Tensor {
  return neg(mean(fakeScores));
}
