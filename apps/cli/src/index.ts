/**
 * @axon/cli as a library: `main(argv, io?)` runs an `axon` command line in-process and returns its
 * exit code; the model and data-set tables it trains from are exported for programs that want to
 * list them. The executable is bin.ts.
 */
export { CORPORA, type CorpusName } from './corpora';
export { DATA_SETS, type DataSet, type DataSetName } from './data_sets';
export { EXIT } from './errors';
export { type DataName, FAMILY_NAMES, type FamilyName, MODEL_FAMILIES, type ModelFamily } from './families';
export type { Io } from './io';
export { main } from './main';
