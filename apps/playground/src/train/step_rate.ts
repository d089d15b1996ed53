/**
 * Steps per second over the last `windowMs` of training (paused time does not count): the figure
 * the page shows to compare the gpu and cpu backends. Pure; the page passes the clock.
 */
export class StepRate {
  private samples: { t: number; steps: number }[] = [];

  constructor(readonly windowMs = 2000) {}

  /** `steps` were run between `startMs` and `endMs`. */
  add(steps: number, startMs: number, endMs: number): void {
    this.samples.push({ t: endMs - startMs, steps });
    let total = this.samples.reduce((s, x) => s + x.t, 0);
    while (this.samples.length > 1 && total - this.samples[0].t >= this.windowMs) {
      total -= this.samples[0].t;
      this.samples.shift();
    }
  }

  /** Steps per second, or null before anything was measured. */
  get perSecond(): number | null {
    const ms = this.samples.reduce((s, x) => s + x.t, 0);
    const steps = this.samples.reduce((s, x) => s + x.steps, 0);
    return ms > 0 ? (steps * 1000) / ms : null;
  }

  reset(): void {
    this.samples = [];
  }
}
