/**
 * SVG to PNG through resvg (`@resvg/resvg-js`): a maintained SVG renderer whose prebuilt native
 * binaries ship inside npm packages (one optional dependency per platform), so installing fetches
 * nothing from anywhere else, and no browser, canvas or system library is needed. Text is set in the
 * font this package ships (see text.ts) and system fonts are not loaded: resvg silently drops text it
 * has no font for (a fresh Debian machine or a container has none), and the same document renders to
 * the same pixels on every machine. Node only; resvg is loaded on the first render, so importing this
 * package in a browser (for SVG and rasters) costs nothing.
 */
import { describeValue, ValueError } from '@axon/tensor';
import { FONT_FAMILY } from './text';

/** The bundled font file, as resolved by Node from this package. */
const FONT_FILE = '@expo-google-fonts/roboto-mono/400Regular/RobotoMono_400Regular.ttf';

// A name in a variable, so that bundlers for the browser (Vite) leave the native module alone.
const RESVG = '@resvg/resvg-js';

/** An SVG document rendered as PNG bytes (RGBA, the document's own size), with the bundled font. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  if (typeof svg !== 'string' || !svg.trimStart().startsWith('<')) {
    throw new ValueError(
      `svgToPng: expected an SVG document (a string starting with '<'), got ${describeValue(svg)}`,
    );
  }
  const [{ Resvg }, fontFile] = await Promise.all([
    import(/* @vite-ignore */ RESVG) as Promise<typeof import('@resvg/resvg-js')>,
    fontPath(),
  ]);
  const rendered = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: [fontFile],
      defaultFontFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
    },
  }).render();
  return new Uint8Array(rendered.asPng());
}

let fontFile: Promise<string> | undefined;

/** The bundled font's path, resolved once from this module. */
function fontPath(): Promise<string> {
  fontFile ??= (async () => {
    const { createRequire } = await import('node:module');
    // import.meta.url is empty in the CommonJS build, where __filename names this file.
    const from = import.meta.url || __filename;
    return createRequire(from).resolve(FONT_FILE);
  })();
  return fontFile;
}
