import { ax } from '../api';
import { type CaseContext, type GroupMappings, type OpMapping, optionalNum, tensorArg } from '../mapping';

type Binary = 'add' | 'sub' | 'mul' | 'div';
type Unary = 'exp' | 'log' | 'sqrt' | 'abs' | 'neg';

const binary = (name: Binary): OpMapping => ({
  forward: (c) => ({ out: ax[name](tensorArg(c, 'a'), tensorArg(c, 'b')) }),
});

const unary = (name: Unary): OpMapping => ({
  forward: (c) => ({ out: ax[name](tensorArg(c, 'x')) }),
});

/** torch.pow(x, e) with a number `hyper.exponent`, or torch.pow(a, b) with two tensors. */
export const pow: OpMapping = {
  forward: (c: CaseContext) => {
    const exponent = optionalNum(c, 'exponent');
    if (exponent !== undefined) return { out: ax.pow(tensorArg(c, 'x'), exponent) };
    return { out: ax.pow(tensorArg(c, 'a'), tensorArg(c, 'b')) };
  },
};

/** torch.clamp: either bound may be null (clamp_min_only, clamp_max_only). */
export const clamp: OpMapping = {
  forward: (c) => ({ out: ax.clamp(tensorArg(c, 'x'), optionalNum(c, 'min'), optionalNum(c, 'max')) }),
};

export const abs = unary('abs');

export const elementwise: GroupMappings = {
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  exp: unary('exp'),
  log: unary('log'),
  sqrt: unary('sqrt'),
  abs,
  neg: unary('neg'),
  pow,
  clamp,
};
