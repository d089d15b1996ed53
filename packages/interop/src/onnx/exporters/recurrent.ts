/**
 * RNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops, one node per layer (ONNX's ops are
 * single-layer, both directions in one node). The weights are rearranged here:
 *
 * - gate order: torch (and Axon) stack LSTM rows as i, f, g, o and ONNX as i, o, f, c (c = g);
 *   GRU rows as r, z, n and ONNX as z, r, h (h = n); RNN has one gate;
 * - GRU: torch applies r to (W_hn h + b_hn), which is ONNX's linear_before_reset = 1;
 * - layout: W [D, G·H, In], R [D, G·H, H], B [D, 2·G·H] (input biases, then recurrent ones), with
 *   D = 2 directions stacked forward, reverse.
 *
 * ONNX's Y is [T, D, B, H]; it becomes torch's [T, B, D·H] (batch-first transposed back), and the
 * per-layer Y_h / Y_c [D, B, H] are concatenated into hN / cN [L·D, B, H].
 */
import type { GRU, LSTM, RecurrentWeights, RNN } from '@axon/layers';
import { concat, split, stack, type Tensor, zeros } from '@axon/tensor';
import type { AttributeValue } from '../proto';
import type { ExportContext, LayerExporter, Traced } from '../registry';
import { reshapeNode, transposeNode } from './util';

type Kind = 'RNN' | 'LSTM' | 'GRU';

/** For each ONNX gate block, the torch block it comes from. */
const GATE_ORDER: Record<Kind, number[]> = { RNN: [0], LSTM: [0, 3, 1, 2], GRU: [1, 0, 2] };

/** One direction's [G·H, ·] rows with the gate blocks in ONNX's order. */
function reorder(kind: Kind, t: Tensor, hidden: number): Tensor {
  const blocks = split(t, hidden, 0);
  return concat(
    GATE_ORDER[kind].map((i) => blocks[i]),
    0,
  );
}

/** ONNX's W, R and B of one layer, from its directions' torch weights (absent biases are zeros). */
function layerWeights(kind: Kind, directions: RecurrentWeights[], hidden: number) {
  const zero = zeros([directions[0].weightHh.shape[0]], directions[0].weightHh.dtype);
  const stacked = (pick: (w: RecurrentWeights) => Tensor[]) =>
    stack(directions.map((w) => concat(pick(w).map((t) => reorder(kind, t, hidden)))));
  return {
    W: stacked((w) => [w.weightIh]),
    R: stacked((w) => [w.weightHh]),
    B: stacked((w) => [w.biasIh ?? zero, w.biasHh ?? zero]),
  };
}

type Layer = RNN | LSTM | GRU;

function exportRecurrent(kind: Kind, m: Layer, inputs: readonly Traced[], ctx: ExportContext) {
  if (inputs.length !== 1)
    throw ctx.fail('only the input sequence can be exported (initial states are zeros)');
  const [x] = inputs;
  if (x.sample.rank !== 3)
    throw ctx.fail(`export it with a batched sample input (rank 3), got rank ${x.sample.rank}`);
  const g = ctx.graph;
  const at = ctx.path || 'model';
  const H = m.hiddenSize;
  const D = m.bidirectional ? 2 : 1;
  const weights = m.weights();
  const attributes: Record<string, AttributeValue> = {
    hidden_size: { i: H },
    direction: { s: m.bidirectional ? 'bidirectional' : 'forward' },
  };
  if (kind === 'RNN') {
    // one activation per direction
    attributes.activations = {
      strings: new Array(D).fill((m as RNN).nonlinearity === 'relu' ? 'Relu' : 'Tanh'),
    };
  }
  if (kind === 'GRU') attributes.linear_before_reset = { i: 1 };
  let seq = m.batchFirst ? transposeNode(ctx, x.name, [1, 0, 2]) : x.name;
  const hN: string[] = [];
  const cN: string[] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const w = layerWeights(kind, weights.slice(l * D, (l + 1) * D), H);
    const names = (['W', 'R', 'B'] as const).map((k) => g.tensorConst(w[k], `${at}.${k}_l${l}`));
    const outputs = g.nodeN(
      kind,
      [seq, ...names],
      attributes,
      kind === 'LSTM' ? 3 : 2,
      `${at}/${kind}_l${l}`,
    );
    // Y [T, D, B, H] → [T, B, D·H]
    seq = reshapeNode(ctx, transposeNode(ctx, outputs[0], [0, 2, 1, 3]), [0, 0, -1]);
    hN.push(outputs[1]);
    if (kind === 'LSTM') cN.push(outputs[2]);
  }
  const sample = m.forward(x.sample);
  const joined = (names: string[]) =>
    names.length === 1 ? names[0] : ctx.node('Concat', names, { axis: { i: 0 } });
  const output = m.batchFirst ? transposeNode(ctx, seq, [1, 0, 2]) : seq;
  const result: Record<string, Traced> = {
    output: { name: output, sample: sample.output },
    hN: { name: joined(hN), sample: sample.hN },
  };
  if (kind === 'LSTM') result.cN = { name: joined(cN), sample: (sample as ReturnType<LSTM['forward']>).cN };
  return result;
}

export const recurrentExporters: Record<string, LayerExporter> = {
  RNN: (m: RNN, inputs, ctx) => exportRecurrent('RNN', m, inputs, ctx),
  LSTM: (m: LSTM, inputs, ctx) => exportRecurrent('LSTM', m, inputs, ctx),
  GRU: (m: GRU, inputs, ctx) => exportRecurrent('GRU', m, inputs, ctx),
};
