/**
 * A scene as an SVG document: the source of every figure (the PNG is this document rendered by
 * resvg, see render.ts).
 */
import type { Prim, Scene } from './scene';
import { SVG_FONT_FAMILY, textBaseline } from './text';

/** The scene as an SVG document (text in the bundled monospaced font, see text.ts). */
export function sceneToSvg(scene: Scene): string {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}">`,
    `<rect x="0" y="0" width="${scene.width}" height="${scene.height}" fill="${scene.background}"/>`,
  ];
  for (const p of scene.items) out.push(prim(p));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function prim(p: Prim): string {
  switch (p.kind) {
    case 'rect': {
      const fill = p.fill
        ? `fill="${p.fill}"${p.fillOpacity !== undefined ? ` fill-opacity="${p.fillOpacity}"` : ''}`
        : 'fill="none"';
      const stroke = p.stroke ? ` stroke="${p.stroke}" stroke-width="${p.strokeWidth ?? 1}"` : '';
      return `<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(p.w)}" height="${n(p.h)}" ${fill}${stroke}/>`;
    }
    case 'line': {
      const pts = p.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
      const dash = p.dash ? ` stroke-dasharray="${p.dash.join(' ')}"` : '';
      return `<polyline points="${pts}" fill="none" stroke="${p.color}" stroke-width="${p.width}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`;
    }
    case 'circle':
      return `<circle cx="${n(p.cx)}" cy="${n(p.cy)}" r="${p.r}" fill="${p.fill}"/>`;
    case 'image':
      // optimizeSpeed is SVG's nearest-neighbour hint (resvg reads it), pixelated the CSS one (browsers).
      return `<image x="${n(p.x)}" y="${n(p.y)}" width="${n(p.width)}" height="${n(p.height)}" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="data:image/png;base64,${base64(p.png)}"/>`;
    case 'text': {
      const baseline = textBaseline(p.y, p.size, p.valign);
      const rotate = p.vertical ? ` transform="rotate(-90 ${n(p.x)} ${n(p.y)})"` : '';
      return `<text x="${n(p.x)}" y="${n(baseline)}" font-family="${SVG_FONT_FAMILY}" font-size="${p.size}" fill="${p.color}" text-anchor="${p.anchor}"${rotate}>${escapeXml(p.text)}</text>`;
    }
  }
}

/** Bytes as base64 (btoa works in Node and browsers), in chunks that fit String.fromCharCode's arguments. */
function base64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(s);
}

/** A coordinate with at most two decimals. */
export function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** `s` with the five XML special characters escaped, for text and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
