import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FixtureFile, parseFixtureText } from './fixture';
import { type RunFixturesOptions, type RunSummary, runFixtures } from './run_case';

// The file-system side of the runner (Node only). Everything else lives in run_case.ts, which has
// no Node imports, so that a browser can run the same cases (see browser.ts).
export * from './run_case';

export interface RunOptions extends RunFixturesOptions {
  /** The folder of *.json fixtures. */
  dir: string;
}

/** Runs every case of every fixture file in `options.dir`. */
export function runConformance(options: RunOptions): RunSummary {
  return runFixtures(
    loadFixtureDir(options.dir).map((f) => f.fixture),
    options,
  );
}

/** Every `*.json` fixture file in `dir`, sorted by file name so runs are reproducible. */
export function loadFixtureDir(dir: string): { file: string; fixture: FixtureFile }[] {
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  return names.map((file) => {
    const fixture = parseFixtureText(readFileSync(join(dir, file), 'utf8'));
    if (!Array.isArray(fixture.cases)) throw new Error(`${file}: not a fixture file (no 'cases' array)`);
    return { file, fixture };
  });
}
