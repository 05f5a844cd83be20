/**
 * A worker's side of one stream's backpressure: it may produce while credits last; the
 * consumer grants more as it consumes, or cancels. Both worker kinds' streams use it.
 */
export class Credits {
  private cancelledFlag = false;
  private wake: (() => void) | null = null;

  constructor(private available: number) {}

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** No credit left: the next item would have to wait. */
  get exhausted(): boolean {
    return this.available === 0;
  }

  grant(count: number): void {
    this.available += count;
    this.wake?.();
  }

  cancel(): void {
    this.cancelledFlag = true;
    this.wake?.();
  }

  /** Waits for a credit or the cancel; takes the credit and resolves true, or resolves false when cancelled. */
  async take(): Promise<boolean> {
    while (this.available === 0 && !this.cancelledFlag) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.cancelledFlag) return false;
    this.available--;
    return true;
  }
}
