/**
 * Decoding a trained {@link Seq2Seq} without the gold target: greedy (the most likely token at
 * each step, a batch at a time) and beam search (the `beamSize` best partial outputs by total
 * log-probability, one source at a time). Both return, with each output, the attention weights
 * of every output token over the source, for alignment plots. Scores are read back each step:
 * choosing among beams is bookkeeping on a few numbers, which plain JavaScript does best.
 */
import {
  checkOptions,
  checkPositiveInt,
  fmtShape,
  full,
  indexSelect,
  logSoftmax,
  ShapeError,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from '@axon/tensor';
import { inference } from '../charlm/inference';
import { checkTokens } from '../charlm/tokens';
import type { DecoderState, EncoderMemory, Seq2Seq } from './seq2seq';

export interface GreedyOptions {
  /** The most tokens to emit per row, the end token not counted (default 50). */
  maxLength?: number;
}

export interface GreedyResult {
  /** The emitted token ids, without the begin and end tokens. */
  tokens: number[];
  /** One row per emitted token: its attention weights over the source positions (each sums to 1). */
  attention: number[][];
}

export interface BeamSearchOptions {
  /** Partial outputs kept at each step (default 4; 1 is greedy decoding). */
  beamSize?: number;
  /** As in greedy (default 50). */
  maxLength?: number;
}

export interface BeamSearchResult extends GreedyResult {
  /** The total log-probability of the tokens and, when one was emitted, the end token. */
  logProb: number;
}

/** Row i's values of a [rows, n] array read back flat. */
function row(values: Float32Array | Float64Array, i: number, n: number): number[] {
  return Array.from(values.subarray(i * n, (i + 1) * n));
}

/** The index of the largest value (the first on ties), as argmax does. */
function argmaxOf(values: ArrayLike<number>, start: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (values[start + j] > values[start + best]) best = j;
  return best;
}

function disposeState(state: DecoderState): void {
  state.h.dispose();
  state.c?.dispose();
}

/**
 * Greedy decoding of src [B, S] (int32, padded with the model's padId): from BOS, each step feeds
 * back the token with the largest log-probability, until EOS or `maxLength` tokens per row.
 */
export function greedyDecode(model: Seq2Seq, src: Tensor, options: GreedyOptions = {}): GreedyResult[] {
  const o = checkOptions('Seq2Seq.greedy', options);
  const maxLength = checkPositiveInt('Seq2Seq.greedy', 'maxLength', o.maxLength ?? 50);
  checkTokens('Seq2Seq.greedy', 'src', src);
  const [B, S] = src.shape;
  const V = model.tgtVocabSize;
  return inference(model, () => {
    const memory = model.encode(src);
    const results: GreedyResult[] = Array.from({ length: B }, () => ({ tokens: [], attention: [] }));
    const done = new Array<boolean>(B).fill(false);
    let prev = full([B], model.bosId, 'int32');
    let state = memory.state;
    for (let t = 0; t < maxLength && done.includes(false); t++) {
      const step = tidy(() => {
        const r = model.decodeStep(prev, state, memory);
        return { logProbs: logSoftmax(r.logits, -1), state: r.state, weights: r.weights };
      });
      const lp = step.logProbs.dataSync() as Float32Array;
      const w = step.weights.dataSync() as Float32Array;
      const next: number[] = [];
      for (let b = 0; b < B; b++) {
        const id = argmaxOf(lp, b * V, V);
        next.push(id);
        if (done[b]) continue;
        if (id === model.eosId) done[b] = true;
        else {
          results[b].tokens.push(id);
          results[b].attention.push(row(w, b, S));
        }
      }
      step.logProbs.dispose();
      step.weights.dispose();
      prev.dispose();
      if (state !== memory.state) disposeState(state);
      state = step.state;
      prev = tensor(Int32Array.from(next), { shape: [B], dtype: 'int32' });
    }
    return results;
  });
}

interface Hypothesis {
  tokens: number[];
  attention: number[][];
  logProb: number;
}

/**
 * Beam search for src [1, S]: keeps the `beamSize` partial outputs of highest total
 * log-probability; a candidate ending in EOS is set aside as finished. It stops when no partial
 * output is left, when the best finished output scores at least the best partial one (longer
 * outputs can only score lower), or after `maxLength` tokens. Returns the best finished output
 * (or, if none finished, the best partial one). Candidates tie-break by beam, then token id, so
 * beamSize 1 gives exactly the greedy output.
 */
export function beamSearch(model: Seq2Seq, src: Tensor, options: BeamSearchOptions = {}): BeamSearchResult {
  const o = checkOptions('Seq2Seq.beamSearch', options);
  const beamSize = checkPositiveInt('Seq2Seq.beamSearch', 'beamSize', o.beamSize ?? 4);
  const maxLength = checkPositiveInt('Seq2Seq.beamSearch', 'maxLength', o.maxLength ?? 50);
  checkTokens('Seq2Seq.beamSearch', 'src', src);
  if (src.shape[0] !== 1) {
    throw new ShapeError(
      `Seq2Seq.beamSearch: expected one source sentence src [1, S], got ${fmtShape(src.shape)}`,
    );
  }
  const S = src.shape[1];
  const V = model.tgtVocabSize;
  return inference(model, () => {
    const memory = model.encode(src);
    let alive: Hypothesis[] = [{ tokens: [], attention: [], logProb: 0 }];
    const finished: Hypothesis[] = [];
    let state: DecoderState = memory.state;
    for (let t = 0; t < maxLength && alive.length > 0; t++) {
      const k = alive.length;
      const step = tidy(() => {
        const rows = zeros([k], 'int32');
        const beamMemory: EncoderMemory = {
          keys: indexSelect(memory.keys, 0, rows),
          projected: indexSelect(memory.projected, 0, rows),
          padding: indexSelect(memory.padding, 0, rows),
          state,
        };
        const last = alive.map((h) => (h.tokens.length ? h.tokens[h.tokens.length - 1] : model.bosId));
        const prev = tensor(Int32Array.from(last), { shape: [k], dtype: 'int32' });
        const r = model.decodeStep(prev, state, beamMemory);
        return { logProbs: logSoftmax(r.logits, -1), state: r.state, weights: r.weights };
      });
      const lp = step.logProbs.dataSync() as Float32Array;
      const w = step.weights.dataSync() as Float32Array;
      step.logProbs.dispose();
      step.weights.dispose();
      const candidates: { beam: number; id: number; logProb: number }[] = [];
      for (let b = 0; b < k; b++) {
        for (let id = 0; id < V; id++)
          candidates.push({ beam: b, id, logProb: alive[b].logProb + lp[b * V + id] });
      }
      candidates.sort((a, c) => c.logProb - a.logProb || a.beam - c.beam || a.id - c.id);
      const next: Hypothesis[] = [];
      const keepRows: number[] = [];
      for (const cand of candidates.slice(0, beamSize)) {
        const parent = alive[cand.beam];
        const attention = [...parent.attention, row(w, cand.beam, S)];
        if (cand.id === model.eosId) {
          finished.push({ tokens: parent.tokens, attention: parent.attention, logProb: cand.logProb });
        } else {
          next.push({ tokens: [...parent.tokens, cand.id], attention, logProb: cand.logProb });
          keepRows.push(cand.beam);
        }
      }
      const old = state;
      state = tidy(() => {
        const idx = tensor(Int32Array.from(keepRows.length ? keepRows : [0]), { dtype: 'int32' });
        return {
          h: indexSelect(step.state.h, 0, idx),
          c: step.state.c ? indexSelect(step.state.c, 0, idx) : null,
        };
      });
      disposeState(step.state);
      if (old !== memory.state) disposeState(old);
      alive = next;
      const bestFinished = Math.max(...finished.map((h) => h.logProb));
      if (alive.length > 0 && bestFinished >= alive[0].logProb) break;
    }
    const pool = finished.length > 0 ? finished : alive;
    const best = pool.reduce((a, b) => (b.logProb > a.logProb ? b : a));
    return { tokens: best.tokens, attention: best.attention, logProb: best.logProb };
  });
}
