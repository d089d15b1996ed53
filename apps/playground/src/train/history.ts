/**
 * The loss (and accuracy) curve of a run, kept small however long it trains: one point per frame
 * is recorded, and when the curve reaches `capacity` points every other one is dropped (the steps
 * stay exact), so drawing it costs the same after a minute or an hour.
 */
export interface HistoryPoint {
  step: number;
  loss: number;
  /** Classifiers only; the latest measured accuracy. */
  accuracy?: number;
}

export class History {
  points: HistoryPoint[] = [];

  constructor(readonly capacity = 400) {}

  add(point: HistoryPoint): void {
    this.points.push(point);
    if (this.points.length > this.capacity) {
      // Keep the first and the last point, and every other one between.
      const last = this.points[this.points.length - 1];
      this.points = this.points.filter((_, i) => i % 2 === 0);
      if (this.points[this.points.length - 1] !== last) this.points.push(last);
    }
  }

  get last(): HistoryPoint | undefined {
    return this.points[this.points.length - 1];
  }

  /** In the shape @axon/train's charts take: x positions and one series per key. */
  asHistory(): { epoch: number[]; history: Record<string, number[]> } {
    const history: Record<string, number[]> = { loss: this.points.map((p) => p.loss) };
    if (this.points.some((p) => p.accuracy !== undefined)) {
      history.accuracy = this.points.map((p) => p.accuracy ?? Number.NaN);
    }
    return { epoch: this.points.map((p) => p.step), history };
  }

  clear(): void {
    this.points = [];
  }
}
