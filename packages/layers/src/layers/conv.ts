/**
 * Conv2d and ConvTranspose2d. Their functional cores are @axon/tensor's `conv2d` and
 * `convTranspose2d` (torch.nn.functional semantics); the modules own the weight and bias.
 */
import {
  conv2d,
  convTranspose2d,
  fmtShape,
  type Pair,
  ShapeError,
  type Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { reserveElements } from '../allocation';
import { fans, kaimingUniform } from '../init';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';
import {
  checkBool,
  checkInt,
  checkPair,
  checkTensor,
  fanInUniform,
  pairJson,
  pairValues,
  show,
  withBatch,
} from './conv_args';

export interface Conv2dLayerOptions {
  stride?: Pair;
  /** Zero padding per side: a number, [pH, pW], 'valid' (none) or 'same' (stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
}

function checkChannels(layer: string, inC: number, outC: number, groups: number): void {
  if (inC % groups !== 0) {
    throw new ValueError(`${layer}: inChannels ${inC} must be divisible by groups ${groups}`);
  }
  if (outC % groups !== 0) {
    throw new ValueError(`${layer}: outChannels ${outC} must be divisible by groups ${groups}`);
  }
}

/**
 * torch.nn.Conv2d over [N, inChannels, H, W] (or unbatched [inChannels, H, W]): weight
 * [outChannels, inChannels/groups, kH, kW], bias [outChannels].
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair | 'same' | 'valid';
  readonly dilation: Pair;
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super();
    const name = 'Conv2d';
    this.inChannels = checkInt(name, 'inChannels', inChannels, 1);
    this.outChannels = checkInt(name, 'outChannels', outChannels, 1);
    this.kernelSize = checkPair(name, 'kernelSize', kernelSize, 1);
    this.stride = checkPair(name, 'stride', options.stride ?? 1, 1);
    const padding = options.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && pairValues(this.stride).some((s) => s !== 1)) {
        throw new ValueError(
          `${name}: padding 'same' needs stride 1 (as in torch), got stride ${show(this.stride)}`,
        );
      }
      this.padding = padding;
    } else if (typeof padding === 'string') {
      throw new ValueError(
        `${name}: expected padding to be a number, a pair, 'same' or 'valid', got '${padding}'`,
      );
    } else {
      this.padding = checkPair(name, 'padding', padding, 0);
    }
    this.dilation = checkPair(name, 'dilation', options.dilation ?? 1, 1);
    this.groups = checkInt(name, 'groups', options.groups ?? 1, 1);
    checkChannels(name, inChannels, outChannels, this.groups);
    const hasBias = checkBool(name, 'bias', options.bias ?? true);
    const [kH, kW] = pairValues(this.kernelSize);
    const shape = [outChannels, inChannels / this.groups, kH, kW];
    reserveElements(name, hasBias ? [shape, [outChannels]] : [shape]);
    const { fanIn } = fans(shape);
    this.weight = this.addParameter(
      'weight',
      tidy(() => kaimingUniform(shape, { a: Math.sqrt(5) })),
    );
    this.bias = hasBias ? this.addParameter('bias', fanInUniform([outChannels], fanIn)) : null;
  }

  forward(x: Tensor): Tensor {
    return withInChannels('Conv2d', x, this.inChannels, (x4) =>
      conv2d(x4, this.weight, this.bias, {
        stride: this.stride,
        padding: this.padding,
        dilation: this.dilation,
        groups: this.groups,
      }),
    );
  }

  override config(): LayerConfig {
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: pairJson(this.kernelSize),
      stride: pairJson(this.stride),
      padding: typeof this.padding === 'string' ? this.padding : pairJson(this.padding),
      dilation: pairJson(this.dilation),
      groups: this.groups,
      bias: this.bias !== null,
    };
  }

  static fromConfig(c: LayerConfig): Conv2d {
    return new Conv2d(c.inChannels as number, c.outChannels as number, c.kernelSize as Pair, {
      stride: c.stride as Pair | undefined,
      padding: c.padding as Pair | 'same' | 'valid' | undefined,
      dilation: c.dilation as Pair | undefined,
      groups: c.groups as number | undefined,
      bias: c.bias as boolean | undefined,
    });
  }
}

export interface ConvTranspose2dLayerOptions {
  stride?: Pair;
  padding?: Pair;
  /** Extra rows/cols at the bottom/right of the output; must be < stride or < dilation. */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * torch.nn.ConvTranspose2d over [N, inChannels, H, W] (or unbatched [inChannels, H, W]): weight
 * [inChannels, outChannels/groups, kH, kW], bias [outChannels]. As in torch, the init's fan-in is
 * weight.shape[1]·kH·kW = (outChannels/groups)·kH·kW.
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    options: ConvTranspose2dLayerOptions = {},
  ) {
    super();
    const name = 'ConvTranspose2d';
    this.inChannels = checkInt(name, 'inChannels', inChannels, 1);
    this.outChannels = checkInt(name, 'outChannels', outChannels, 1);
    this.kernelSize = checkPair(name, 'kernelSize', kernelSize, 1);
    this.stride = checkPair(name, 'stride', options.stride ?? 1, 1);
    this.padding = checkPair(name, 'padding', options.padding ?? 0, 0);
    this.outputPadding = checkPair(name, 'outputPadding', options.outputPadding ?? 0, 0);
    this.dilation = checkPair(name, 'dilation', options.dilation ?? 1, 1);
    this.groups = checkInt(name, 'groups', options.groups ?? 1, 1);
    checkChannels(name, inChannels, outChannels, this.groups);
    const s = pairValues(this.stride);
    const d = pairValues(this.dilation);
    const op = pairValues(this.outputPadding);
    if (op.some((v, i) => v >= s[i] && v >= d[i])) {
      throw new ValueError(
        `${name}: outputPadding ${show(this.outputPadding)} must be smaller than stride ${show(this.stride)} or dilation ${show(this.dilation)}`,
      );
    }
    const hasBias = checkBool(name, 'bias', options.bias ?? true);
    const [kH, kW] = pairValues(this.kernelSize);
    const shape = [inChannels, outChannels / this.groups, kH, kW];
    reserveElements(name, hasBias ? [shape, [outChannels]] : [shape]);
    const { fanIn } = fans(shape);
    this.weight = this.addParameter(
      'weight',
      tidy(() => kaimingUniform(shape, { a: Math.sqrt(5) })),
    );
    this.bias = hasBias ? this.addParameter('bias', fanInUniform([outChannels], fanIn)) : null;
  }

  forward(x: Tensor): Tensor {
    return withInChannels('ConvTranspose2d', x, this.inChannels, (x4) =>
      convTranspose2d(x4, this.weight, this.bias, {
        stride: this.stride,
        padding: this.padding,
        outputPadding: this.outputPadding,
        dilation: this.dilation,
        groups: this.groups,
      }),
    );
  }

  override config(): LayerConfig {
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: pairJson(this.kernelSize),
      stride: pairJson(this.stride),
      padding: pairJson(this.padding),
      outputPadding: pairJson(this.outputPadding),
      dilation: pairJson(this.dilation),
      groups: this.groups,
      bias: this.bias !== null,
    };
  }

  static fromConfig(c: LayerConfig): ConvTranspose2d {
    return new ConvTranspose2d(c.inChannels as number, c.outChannels as number, c.kernelSize as Pair, {
      stride: c.stride as Pair | undefined,
      padding: c.padding as Pair | undefined,
      outputPadding: c.outputPadding as Pair | undefined,
      dilation: c.dilation as Pair | undefined,
      groups: c.groups as number | undefined,
      bias: c.bias as boolean | undefined,
    });
  }
}

registerLayer('Conv2d', Conv2d);
registerLayer('ConvTranspose2d', ConvTranspose2d);

/**
 * Runs `fn` on x as [N, inChannels, H, W] (an unbatched [inChannels, H, W] gets a batch of 1 that
 * the result drops again); anything else is an error naming `layer` and the shape it expected.
 */
function withInChannels(layer: string, x: Tensor, inChannels: number, fn: (x4: Tensor) => Tensor): Tensor {
  checkTensor(layer, x);
  return withBatch(layer, x, `[N, ${inChannels}, H, W]`, (x4) => {
    if (x4.shape[1] !== inChannels) {
      throw new ShapeError(
        `${layer}: expected input [N, ${inChannels}, H, W] (or unbatched [${inChannels}, H, W]), got ${fmtShape(x.shape)}`,
      );
    }
    return fn(x4);
  });
}
