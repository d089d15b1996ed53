import './gradients';
import './tensor_grad';

export { checkGradients, type GradientCheckOptions, type GradientCheckReport } from './check_gradients';
export { grad, noGrad, type ScalarFn, valueAndGrad } from './grad';
export { unbroadcast } from './gradients/unbroadcast';
export { GRAPH } from './graph';
export { type GradContext, type GradFunc, getGradient, registerGradient } from './registry';
