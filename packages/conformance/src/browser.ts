/**
 * The runner without the file system, for a browser page (this package's browser/ harness, which
 * imports it as `@axon/conformance/browser`): the caller fetches and parses the fixture files itself
 * and hands them to `runFixtures`.
 */
export { compareValues, describeMismatch } from './compare';
export { type FixtureCase, type FixtureFile, parseFixtureText, type Tolerance } from './fixture';
export type { GroupMappings, Mapping } from './mapping';
export { MAPPINGS } from './ops';
export {
  type CaseResult,
  type CaseStatus,
  DEFAULT_TOLERANCE,
  formatSkippedOps,
  formatSummary,
  type RunFixturesOptions,
  type RunSummary,
  runCase,
  runFixtures,
  summarize,
} from './run_case';
