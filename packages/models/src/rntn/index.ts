export { type SentimentAccuracy, sentimentAccuracy } from './evaluate';
export {
  encodeTreeRows,
  type PlanLevel,
  planTrees,
  postOrder,
  type SentimentTree,
  type TreePlan,
} from './plan';
export type { RntnPrediction } from './predict';
export {
  RNTN,
  RNTN_COMPOSITIONS,
  type RntnComposition,
  type RntnOptions,
  rntn,
  type TreeBatch,
} from './rntn';
export { binarize, rightBranching, tokenize } from './text';
