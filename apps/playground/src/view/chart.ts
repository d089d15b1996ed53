/**
 * The live loss / accuracy curve: @axon/plot's history chart (the one `plotHistory` writes
 * after a fit in Node), as SVG markup in the page, so the playground and the CLI draw curves alike
 * and the page carries no chart code of its own.
 */
import { historySvg } from '@axon/plot';
import type { History } from '../train/history';

export function drawChart(el: HTMLElement, history: History, width: number): void {
  if (history.points.length < 2) {
    el.textContent = 'The loss curve appears once training runs.';
    return;
  }
  el.innerHTML = historySvg(history.asHistory(), { width, panelHeight: 200, xLabel: 'step' });
}
