/** The GPT-style transformer language model and its block. */
export { TransformerBlock, type TransformerBlockOptions } from './block';
export { TransformerLM, type TransformerLmOptions, transformerLM } from './transformer';
