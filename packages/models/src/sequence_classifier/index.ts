/** The recurrent sentence classifier. */
export {
  SEQUENCE_CELLS,
  SEQUENCE_POOLINGS,
  type SequenceCell,
  SequenceClassifier,
  type SequenceClassifierOptions,
  type SequencePooling,
  sequenceClassifier,
} from './sequence_classifier';
