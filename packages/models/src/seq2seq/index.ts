/** The attentional encoder–decoder, its attention scores and its decoders. */
export { type Attended, SEQ2SEQ_ATTENTIONS, type Seq2SeqAttention, SeqAttention } from './attention';
export {
  type BeamSearchOptions,
  type BeamSearchResult,
  beamSearch,
  type GreedyOptions,
  type GreedyResult,
  greedyDecode,
} from './decode';
export {
  type DecoderState,
  type DecoderStep,
  type EncoderMemory,
  SEQ2SEQ_CELLS,
  Seq2Seq,
  type Seq2SeqCell,
  type Seq2SeqOptions,
  seq2seq,
} from './seq2seq';
