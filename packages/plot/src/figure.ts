/**
 * Writing a figure: its SVG source to `<path>.svg` and the same document rendered to `<path>.png`,
 * so every writer (training curves, image grids, an example's own scene) makes the pair the same way.
 */
import { describeValue, ValueError } from '@axon/tensor';
import { svgToPng } from './render';

/** The two files a figure was written to. */
export interface FigureFiles {
  svg: string;
  png: string;
}

/**
 * Writes `svg` to `<path>.svg` and its rendering to `<path>.png` (parent folders are created) and
 * returns both paths. `op` names the caller in errors.
 */
export async function writeFigure(path: string, svg: string, op = 'writeFigure'): Promise<FigureFiles> {
  if (typeof path !== 'string' || !path) {
    throw new ValueError(
      `${op}: expected path to be a file path without extension, got ${describeValue(path)}`,
    );
  }
  const [{ mkdir, writeFile }, { dirname }, png] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    svgToPng(svg),
  ]);
  const files = { svg: `${path}.svg`, png: `${path}.png` };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(files.svg, svg);
  await writeFile(files.png, png);
  return files;
}
