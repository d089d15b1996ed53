/**
 * @axon/layer-example: layers contributed from outside @axon/layers. Importing this package
 * registers them (registerLayer), so that `load` can rebuild models that use them.
 */
export { ScaledResidual, type ScaledResidualOptions, scaledResidual } from './scaled_residual';
export { Swish, type SwishOptions, swish } from './swish';
