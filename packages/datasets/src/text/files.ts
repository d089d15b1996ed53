/**
 * Node-only file helpers for the text and tree loaders. `node:*` modules are imported lazily, so
 * the rest of the package (parsing, encoding, batching) runs in browsers too.
 */
import { ValueError } from '@axon/tensor';

/** Reads a UTF-8 text file; a missing or unreadable file names the op, the path and why. */
export async function readTextFile(op: string, path: string): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ValueError(`${op}: expected a file path (non-empty string), got ${String(path)}`);
  }
  let fs: typeof import('node:fs/promises');
  try {
    fs = await import('node:fs/promises');
  } catch (e) {
    throw new ValueError(`${op}: reading '${path}' needs Node.js (in a browser, pass the text itself)`, {
      cause: e,
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ValueError(`${op}: cannot read '${path}': ${why}`, { cause: e });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new ValueError(`${op}: '${path}' is not valid UTF-8 text`, { cause: e });
  }
}

/**
 * The path of a file shipped in this package's `data/` folder. The module sits in `src/text/`
 * (tests, `source` condition) or `dist/` (built package), so both `../../data` and `../data` are
 * tried, and the first that exists wins.
 */
export async function packageDataPath(op: string, relative: string): Promise<string> {
  const [{ fileURLToPath }, { existsSync }, path] = await Promise.all([
    import('node:url'),
    import('node:fs'),
    import('node:path'),
  ]);
  const here = moduleDir(fileURLToPath, path.dirname);
  const candidates = here ? [path.join(here, '..', '..', 'data'), path.join(here, '..', 'data')] : [];
  for (const dir of candidates) {
    const file = path.join(dir, relative);
    if (existsSync(file)) return file;
  }
  throw new ValueError(
    `${op}: the bundled data file 'data/${relative}' of @axon/datasets was not found ` +
      `(looked in ${candidates.join(', ') || 'no folder: the module location is unknown'}); pass a path instead`,
  );
}

function moduleDir(
  fileURLToPath: (url: string) => string,
  dirname: (p: string) => string,
): string | undefined {
  // ESM: import.meta.url. CJS builds have no import.meta, but do have __dirname.
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url.startsWith('file:')) return dirname(fileURLToPath(url));
  if (typeof __dirname === 'string') return __dirname;
  return undefined;
}
