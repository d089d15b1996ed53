/** The character-level recurrent language model, its stream batches for TBPTT, and sampling. */
export {
  CHAR_LM_CELLS,
  CharLM,
  type CharLmCell,
  type CharLmOptions,
  charLM,
  type RecurrentState,
} from './charlm';
export { type GenerateOptions, sampleNext } from './sampling';
export { type StreamBatch, type StreamBatchOptions, streamBatches } from './streams';
