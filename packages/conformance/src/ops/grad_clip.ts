import * as optimExports from '@axon/optim';
import { ax, guardExports, type Tensor } from '../api';
import { type GroupMappings, num, tensorArg } from '../mapping';

const optim = guardExports<typeof optimExports>('@axon/optim', optimExports);

export const gradClip: GroupMappings = {
  // The case's inputs are the gradients; each becomes the `.grad` of a parameter of its shape.
  clip_grad_norm_: {
    forward(ctx) {
      const order = ctx.hyper.order as string[];
      const normType = ctx.hyper.norm_type === 'inf' ? 'inf' : num(ctx, 'norm_type');
      const params = order.map((name) => ax.zerosLike(tensorArg(ctx, name)));
      try {
        params.forEach((p, i) => {
          p.grad = tensorArg(ctx, order[i]).clone();
        });
        const total = optim.clipGradNorm(params, num(ctx, 'max_norm'), normType);
        const out: Record<string, Tensor> = { total_norm: ax.scalar(total) };
        order.forEach((name, i) => {
          out[`${name}_out`] = params[i].grad!.clone();
        });
        return out;
      } finally {
        for (const p of params) p.grad = null;
      }
    },
  },
};
