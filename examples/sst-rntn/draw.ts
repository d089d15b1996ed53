/**
 * Draws a sentiment tree as @axon/plot draws its charts (a scene of primitives, written as SVG and
 * rendered to PNG from that SVG), each node a disc coloured by its class: dark red (very negative)
 * to grey (neutral) to dark blue (very positive). Leaves sit in a row with their words below; a
 * parent is centred over its children, one row per height.
 */
import type { SentimentTree } from '@axon/models';
import { type FigureFiles, type Prim, type Scene, sceneToSvg, textWidth, writeFigure } from '@axon/plot';

export const SENTIMENT_COLORS = ['#b2182b', '#ef8a62', '#bababa', '#67a9cf', '#2166ac'];
const NAMES = ['very negative', 'negative', 'neutral', 'positive', 'very positive'];

/** The scene of `tree` (labels 0..4 give the colours) under `title`. */
export function treeScene(tree: SentimentTree, title: string): Scene {
  const items: Prim[] = [];
  const pos = new Map<SentimentTree, { x: number; h: number }>();
  const gap = 14;
  let x = 20;
  // Post-order: children are placed before their parent.
  const order: SentimentTree[] = [];
  const stack = [tree];
  while (stack.length) {
    const t = stack.pop() as SentimentTree;
    order.push(t);
    if (t.left && t.right) stack.push(t.left, t.right);
  }
  order.reverse();
  for (const t of order) {
    if (t.word !== undefined) {
      const w = Math.max(24, textWidth(t.word, 10));
      pos.set(t, { x: x + w / 2, h: 0 });
      x += w + gap;
    } else {
      const l = pos.get(t.left as SentimentTree) as { x: number; h: number };
      const r = pos.get(t.right as SentimentTree) as { x: number; h: number };
      pos.set(t, { x: (l.x + r.x) / 2, h: 1 + Math.max(l.h, r.h) });
    }
  }
  const height = (pos.get(tree) as { h: number }).h;
  const row = 28;
  const top = 60;
  const y = (h: number) => top + (height - h) * row;
  for (const t of order) {
    if (t.left && t.right) {
      const p = pos.get(t) as { x: number; h: number };
      for (const c of [t.left, t.right]) {
        const q = pos.get(c) as { x: number; h: number };
        items.push({
          kind: 'line',
          points: [
            [p.x, y(p.h)],
            [q.x, y(q.h)],
          ],
          color: '#888888',
          width: 1,
        });
      }
    }
  }
  for (const t of order) {
    const p = pos.get(t) as { x: number; h: number };
    items.push({ kind: 'circle', cx: p.x, cy: y(p.h), r: 7, fill: SENTIMENT_COLORS[t.label] ?? '#000000' });
    if (t.word !== undefined) {
      items.push({
        kind: 'text',
        x: p.x,
        y: y(0) + 14,
        text: t.word,
        size: 10,
        color: '#222222',
        anchor: 'middle',
        valign: 'top',
      });
    }
  }
  items.push({
    kind: 'text',
    x: 20,
    y: 16,
    text: title,
    size: 20,
    color: '#222222',
    anchor: 'start',
    valign: 'top',
  });
  let lx = 20;
  for (const [c, name] of NAMES.entries()) {
    items.push({ kind: 'circle', cx: lx + 5, cy: 44, r: 5, fill: SENTIMENT_COLORS[c] });
    items.push({
      kind: 'text',
      x: lx + 14,
      y: 44,
      text: name,
      size: 10,
      color: '#222222',
      anchor: 'start',
      valign: 'middle',
    });
    lx += 24 + textWidth(name, 10);
  }
  const width = Math.max(x + 6, lx, 20 + textWidth(title, 20) + 20);
  return { width: Math.ceil(width), height: y(0) + 34, background: '#ffffff', items };
}

/** Writes `<path>.svg` and `<path>.png` of the tree; returns both paths. */
export function writeTree(path: string, tree: SentimentTree, title: string): Promise<FigureFiles> {
  return writeFigure(path, sceneToSvg(treeScene(tree, title)), 'writeTree');
}
