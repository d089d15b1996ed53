/**
 * The layout of training curves (a History's per-epoch series) as a scene: loss and val_loss in one
 * panel, the other metrics in a second, learning rates in a third when asked for; validation
 * curves dashed, a legend in the corner that hides the fewest points.
 */
import { ValueError } from '@axon/tensor';
import type { Point, Prim, Scene } from './scene';
import { textWidth } from './text';
import { formatTick, niceTicks } from './ticks';

/** Per-epoch series by name, and the epoch (0-based) of each position. */
export interface HistoryLike {
  epoch?: readonly number[];
  history: Record<string, readonly number[]>;
}

export interface ChartOptions {
  title?: string;
  /** Keys to draw (default: every key but 'lr' and 'lr_*'). Loss keys share the first panel, the learning rates get their own, the rest share another. */
  keys?: string[];
  /** Image width in pixels (default 960). */
  width?: number;
  /** Height of each panel in pixels (default 360). */
  panelHeight?: number;
  /** Label under the x axis (default 'epoch'); name what the positions are when the series are not per epoch. */
  xLabel?: string;
  /**
   * Label beside the y axis of every panel (default: 'loss', 'learning rate', and for the other
   * metrics their name when the panel shows one, with or without its val_ twin, else 'metric').
   */
  yLabel?: string;
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
];
const VAL_PALETTE = [
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#17becf',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#7f7f7f',
];
const TEXT = '#222222';
const AXIS = '#444444';
const GRID = '#e3e3e3';
/** Font sizes in pixels: labels and ticks, the title. */
const FONT = 20;
const TITLE_FONT = 30;

interface Series {
  key: string;
  xs: number[];
  ys: number[];
  color: string;
  dash?: number[];
}

interface Panel {
  label: string;
  series: Series[];
}

/** A learning-rate key: 'lr', or 'lr_<name>' for one of several optimizers. */
function isLr(key: string): boolean {
  return key === 'lr' || key.startsWith('lr_');
}

/** Lays out training curves: loss and val_loss in one panel, other metrics in another, lr in a third if asked. */
export function historyChart(h: HistoryLike, options: ChartOptions = {}): Scene {
  if (!h || typeof h !== 'object' || !h.history || typeof h.history !== 'object') {
    throw new ValueError('plotHistory: expected a History (from fit) or {history: {key: number[]}}');
  }
  const all = Object.keys(h.history);
  const keys = options.keys ?? all.filter((k) => !isLr(k));
  for (const k of keys) {
    if (!(k in h.history))
      throw new ValueError(`plotHistory: no key '${k}' in the history (it has: ${all.join(', ')})`);
  }
  if (keys.length === 0) throw new ValueError('plotHistory: nothing to plot (no keys)');
  const n = Math.max(...keys.map((k) => h.history[k].length));
  const epochs =
    h.epoch && h.epoch.length === n ? h.epoch.map((e) => e + 1) : Array.from({ length: n }, (_, i) => i + 1);

  const groups: { label: string; keys: string[] }[] = [
    { label: 'loss', keys: keys.filter((k) => /loss/.test(k)) },
    { label: 'metric', keys: keys.filter((k) => !/loss/.test(k) && !isLr(k)) },
    { label: 'learning rate', keys: keys.filter(isLr) },
  ].filter((g) => g.keys.length > 0);
  const panels: Panel[] = groups.map((g) => {
    const bases = [...new Set(g.keys.map((k) => k.replace(/^val_/, '')))];
    const series = g.keys.map((key) => {
      const val = key.startsWith('val_');
      const i = bases.indexOf(key.replace(/^val_/, ''));
      const xs: number[] = [];
      const ys: number[] = [];
      h.history[key].forEach((y, j) => {
        if (Number.isFinite(y)) {
          xs.push(epochs[j]);
          ys.push(y);
        }
      });
      const s: Series = { key, xs, ys, color: (val ? VAL_PALETTE : PALETTE)[i % PALETTE.length] };
      if (val) s.dash = [10, 6];
      return s;
    });
    // A panel of one metric (accuracy and val_accuracy) is labelled with that metric's name.
    const label = options.yLabel ?? (g.label === 'metric' && bases.length === 1 ? bases[0] : g.label);
    return { label, series };
  });

  const width = options.width ?? 960;
  const panelHeight = options.panelHeight ?? 360;
  const titleHeight = options.title ? 56 : 12;
  const scene: Scene = {
    width,
    height: titleHeight + panels.length * panelHeight,
    background: '#ffffff',
    items: [],
  };
  if (options.title) {
    scene.items.push(text(width / 2, 18, options.title, TITLE_FONT, 'middle', 'top'));
  }
  panels.forEach((p, i) => {
    drawPanel(
      scene.items,
      p,
      epochs,
      options.xLabel ?? 'epoch',
      width,
      titleHeight + i * panelHeight,
      panelHeight,
    );
  });
  return scene;
}

function drawPanel(
  items: Prim[],
  panel: Panel,
  epochs: number[],
  xLabel: string,
  width: number,
  top: number,
  height: number,
): void {
  const left = 118;
  const right = width - 28;
  const plotTop = top + 14;
  const plotBottom = top + height - 62;
  const ys = panel.series.flatMap((s) => s.ys);
  let lo = ys.length ? Math.min(...ys) : 0;
  let hi = ys.length ? Math.max(...ys) : 1;
  const pad = (hi - lo) * 0.05;
  // Shares and accuracies stay within [0, 1] on the axis too.
  const unit = lo >= 0 && hi <= 1;
  lo -= pad;
  hi += pad;
  if (unit) {
    lo = Math.max(0, lo);
    hi = Math.min(1, hi);
  }
  const yt = niceTicks(lo, hi, 5);
  const y0 = yt.ticks[0];
  const y1 = yt.ticks[yt.ticks.length - 1];
  const e0 = Math.min(...epochs, 1);
  const e1 = Math.max(...epochs, e0 + 1);
  const xt = niceTicks(e0, e1, Math.min(10, e1 - e0), true);
  const xTicks = xt.ticks.filter((t) => t >= e0 && t <= e1);
  const X = (e: number) => left + ((e - e0) / (e1 - e0)) * (right - left);
  const Y = (v: number) => plotBottom - ((v - y0) / (y1 - y0)) * (plotBottom - plotTop);

  items.push({
    kind: 'rect',
    x: left,
    y: plotTop,
    w: right - left,
    h: plotBottom - plotTop,
    fill: '#ffffff',
  });
  for (const t of yt.ticks) {
    const y = Y(t);
    items.push({
      kind: 'line',
      points: [
        [left, y],
        [right, y],
      ],
      color: GRID,
      width: 1,
    });
    items.push({
      kind: 'line',
      points: [
        [left - 6, y],
        [left, y],
      ],
      color: AXIS,
      width: 1.5,
    });
    items.push(text(left - 10, y, formatTick(t, yt.step), FONT, 'end', 'middle'));
  }
  for (const t of xTicks) {
    const x = X(t);
    items.push({
      kind: 'line',
      points: [
        [x, plotTop],
        [x, plotBottom],
      ],
      color: GRID,
      width: 1,
    });
    items.push({
      kind: 'line',
      points: [
        [x, plotBottom],
        [x, plotBottom + 6],
      ],
      color: AXIS,
      width: 1.5,
    });
    items.push(text(x, plotBottom + 12, formatTick(t, xt.step), FONT, 'middle', 'top'));
  }
  items.push({
    kind: 'rect',
    x: left,
    y: plotTop,
    w: right - left,
    h: plotBottom - plotTop,
    stroke: AXIS,
    strokeWidth: 1.5,
  });
  items.push(text((left + right) / 2, plotBottom + 38, xLabel, FONT, 'middle', 'top'));
  items.push({
    ...text(22, (plotTop + plotBottom) / 2, panel.label, FONT, 'middle', 'middle'),
    vertical: true,
  });

  for (const s of panel.series) {
    const pts: Point[] = s.xs.map((x, i) => [X(x), Y(s.ys[i])]);
    if (pts.length > 1) items.push({ kind: 'line', points: pts, color: s.color, width: 2.5, dash: s.dash });
    if (pts.length <= 40)
      for (const [cx, cy] of pts) items.push({ kind: 'circle', cx, cy, r: 3.5, fill: s.color });
  }

  // Legend, top right inside the plot.
  const rowH = 22;
  const labelW = Math.max(...panel.series.map((s) => textWidth(s.key, FONT)));
  const boxW = labelW + 58;
  const boxH = panel.series.length * rowH + 12;
  // The corner where the legend hides the fewest points of the curves.
  const samples: Point[] = [];
  for (const s of panel.series) {
    const pts = s.xs.map((x, i): Point => [X(x), Y(s.ys[i])]);
    pts.forEach((q, i) => {
      samples.push(q);
      const next = pts[i + 1];
      if (next)
        for (let t = 0.1; t < 1; t += 0.1)
          samples.push([q[0] + (next[0] - q[0]) * t, q[1] + (next[1] - q[1]) * t]);
    });
  }
  const corners: Point[] = [
    [right - boxW - 10, plotTop + 10],
    [left + 10, plotTop + 10],
    [right - boxW - 10, plotBottom - boxH - 10],
    [left + 10, plotBottom - boxH - 10],
  ];
  const hidden = ([x, y]: Point) =>
    samples.filter(([px, py]) => px >= x - 4 && px <= x + boxW + 4 && py >= y - 4 && py <= y + boxH + 4)
      .length;
  const [bx, by] = corners.reduce((best, c) => (hidden(c) < hidden(best) ? c : best));
  items.push({
    kind: 'rect',
    x: bx,
    y: by,
    w: boxW,
    h: boxH,
    fill: '#ffffff',
    fillOpacity: 0.88,
    stroke: '#bbbbbb',
    strokeWidth: 1,
  });
  panel.series.forEach((s, i) => {
    const cy = by + 6 + rowH * i + rowH / 2;
    items.push({
      kind: 'line',
      points: [
        [bx + 10, cy],
        [bx + 40, cy],
      ],
      color: s.color,
      width: 2.5,
      dash: s.dash ? [6, 4] : undefined,
    });
    items.push(text(bx + 48, cy, s.key, FONT, 'start', 'middle'));
  });
}

function text(
  x: number,
  y: number,
  s: string,
  size: number,
  anchor: 'start' | 'middle' | 'end',
  valign: 'top' | 'middle' | 'baseline',
): Extract<Prim, { kind: 'text' }> {
  return { kind: 'text', x, y, text: s, size, color: TEXT, anchor, valign };
}
