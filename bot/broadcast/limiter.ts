/**
 * A pure rate limiter for one worker: a token bucket in its "virtual scheduling" form (GCRA), over an injected
 * clock and sleep so tests run it without real time. Each `acquire()` reserves the next free slot synchronously
 * and then sleeps until it, so concurrent senders of one worker share the rate without a lock.
 *
 * Guarantee: in any window of length L, at most `floor((L + tolerance) / interval) + 1` acquisitions pass,
 * where `interval = 1 / rate` and `tolerance = (burst - 1) * interval`. With the default burst of 1.1, a timer
 * that fires up to a tenth of an interval late is caught up on the next send instead of lowering the rate,
 * while a one-second window never holds more than `floor(rate) + 1` sends of this worker.
 */

/** Milliseconds from a monotonic source, and a way to wait; `performance.now` and `setTimeout` by default. */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real timer: monotonic time and `setTimeout`. */
export const realTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Thrown for a limiter rate or burst that cannot pace anything; says what to pass instead. */
export class InvalidLimiterSettingsError extends Error {
  constructor(what: string) {
    super(`${what}; pass a rate above 0 messages/s and a burst of at least 1.`);
    this.name = "InvalidLimiterSettingsError";
  }
}

/** Paces one worker's Bot API calls at `ratePerSecond`, and pauses them all when Telegram says `retry_after`. */
export class RateLimiter {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  /** Theoretical arrival time of the next send (GCRA's TAT). */
  private nextSlot = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ratePerSecond: number,
    private readonly timer: Timer = realTimer,
    burst = 1.1,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond))
      throw new InvalidLimiterSettingsError(`Rate ${ratePerSecond} messages/s cannot pace sends`);
    if (!(burst >= 1)) throw new InvalidLimiterSettingsError(`Burst ${burst} is below one message`);
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /**
   * Reserves the next slot and resolves at its time. Call it right before each Bot API call. A caller that
   * wakes up later than its slot plus the tolerance (the event loop stalled, e.g. in garbage collection)
   * reserves a new slot instead: otherwise every sender that slept through the stall would go at once, and
   * Telegram would count a burst.
   */
  async acquire(): Promise<void> {
    for (;;) {
      const wait = this.reserve();
      if (wait <= 0) return;
      const due = this.timer.now() + wait;
      await this.timer.sleep(wait);
      if (this.timer.now() - due <= this.toleranceMs + 1) return;
    }
  }

  /**
   * Reserves the next slot without waiting and returns the milliseconds until it (0 = now). Exposed so the
   * pacing arithmetic can be tested without any sleeping.
   */
  reserve(): number {
    const now = this.timer.now();
    // An idle limiter does not bank unused slots: the theoretical arrival time never lags behind now.
    const arrival = Math.max(this.nextSlot, now);
    const sendAt = Math.max(now, arrival - this.toleranceMs, this.pausedUntil);
    this.nextSlot = Math.max(arrival, sendAt) + this.intervalMs;
    return sendAt - now;
  }

  /** Telegram answered 429 with `retry_after`: no call of this worker goes out before that time. */
  pauseFor(ms: number): void {
    const until = this.timer.now() + ms;
    if (until > this.pausedUntil) this.pausedUntil = until;
    if (this.nextSlot < until) this.nextSlot = until;
  }
}
