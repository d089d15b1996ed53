import './gradients';
import './tensor_grad';

export { checkGradients, type GradientCheckOptions, type GradientCheckReport } from './check_gradients';
export { type GradOptions, grad, gradOf, noGrad, type ScalarFn, valueAndGrad } from './grad';
export { unbroadcast } from './gradients/unbroadcast';
export { type BackwardOptions, type BackwardResult, GRAPH } from './graph';
export { type GradContext, type GradFunc, getGradient, registerGradient } from './registry';
export type { BackwardFlags } from './tensor_grad';
