import type { Pair } from '@axon/tensor';
import { ax } from '../api';
import {
  type CaseContext,
  compact,
  type GroupMappings,
  num,
  optionalTensorArg,
  pair,
  tensorArg,
  Unsupported,
} from '../mapping';

/** Only zero padding is in the agreed API. */
function assertZeroPadding(c: CaseContext): void {
  const mode = c.hyper.padding_mode;
  if (mode !== undefined && mode !== 'zeros')
    throw new Unsupported(`padding_mode '${mode}' is not in the conv2d API`);
}

/** conv2d's padding: a pair, or 'same' / 'valid' (the fixture's explicit_padding is informational). */
function convPadding(c: CaseContext): Pair | 'same' | 'valid' {
  const p = c.hyper.padding;
  return p === 'same' || p === 'valid' ? p : pair(c, 'padding', [0, 0]);
}

export const conv: GroupMappings = {
  conv2d: {
    forward: (c) => {
      assertZeroPadding(c);
      const out = ax.conv2d(
        tensorArg(c, 'x'),
        tensorArg(c, 'weight'),
        optionalTensorArg(c, 'bias') ?? null,
        compact({
          stride: pair(c, 'stride', [1, 1]),
          padding: convPadding(c),
          dilation: pair(c, 'dilation', [1, 1]),
          groups: num(c, 'groups', 1),
        }),
      );
      return { out };
    },
  },
  // weight is [inC, outC/groups, kH, kW], as torch's.
  conv_transpose2d: {
    forward: (c) => {
      assertZeroPadding(c);
      const out = ax.convTranspose2d(
        tensorArg(c, 'x'),
        tensorArg(c, 'weight'),
        optionalTensorArg(c, 'bias') ?? null,
        compact({
          stride: pair(c, 'stride', [1, 1]),
          padding: pair(c, 'padding', [0, 0]),
          outputPadding: pair(c, 'output_padding', [0, 0]),
          dilation: pair(c, 'dilation', [1, 1]),
          groups: num(c, 'groups', 1),
        }),
      );
      return { out };
    },
  },
};
