import { textTop } from './chart';
import { GLYPH_ASCENT } from './font';
import type { Prim, Scene } from './scene';

/** The scene as an SVG document (text in a monospace font sized like the PNG's bitmap font). */
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
    case 'text': {
      const baseline = textTop(p.y, p.scale, p.valign) + GLYPH_ASCENT * p.scale;
      const rotate = p.vertical ? ` transform="rotate(-90 ${n(p.x)} ${n(p.y)})"` : '';
      return `<text x="${n(p.x)}" y="${n(baseline)}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="${10 * p.scale}" fill="${p.color}" text-anchor="${p.anchor}"${rotate}>${escapeXml(p.text)}</text>`;
    }
  }
}

function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
