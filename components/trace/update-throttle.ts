/**
 * Coalesces a page's updates: `schedule()` runs `update` once on the next
 * animation frame (a 16 ms tick when the page is hidden or has no frames),
 * however often it is called before then; and while calls keep coming, at
 * most once per `minIntervalMs`. The first call after a quiet spell waits
 * for one frame only.
 *
 * Used where many small changes each re-render a lot (a trace batch lays
 * out and draws the diagrams; a finished call re-renders every widget that
 * shows a run): on a slow machine a page updated every frame falls behind
 * its own calls.
 */
export class UpdateThrottle {
  private scheduled = false;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly update: () => void,
    private readonly minIntervalMs: number,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.last + this.minIntervalMs - performance.now();
    if (wait > 0) setTimeout(() => this.nextFrame(), wait);
    else this.nextFrame();
  }

  private nextFrame(): void {
    const run = () => {
      this.scheduled = false;
      this.last = performance.now();
      this.update();
    };
    if (typeof requestAnimationFrame === "function" && typeof document !== "undefined" && !document.hidden) requestAnimationFrame(run);
    else setTimeout(run, 16);
  }
}
