/**
 * The rate arithmetic: one configured rate R split into C workers at R / C, the per-worker limiter's pacing
 * (on a fake timer, no sleeping), and, end to end, two workers together staying under the emulator's bulk limit
 * in free and in paid mode.
 */
import { RateLimiter, type Timer } from "../../bot/broadcast/limiter";
import {
  broadcastRatesFromSettings,
  deriveBroadcastRates,
  InvalidBroadcastRateError,
  worstSendsPerSecond,
} from "../../contracts/broadcast-rates";
import { idRange, notExactly, startRig } from "./rig";

class FakeTimer implements Timer {
  time = 0;
  now() {
    return this.time;
  }
  async sleep(ms: number) {
    this.time += ms;
  }
}

describe("deriving worker concurrency and per-worker rate from one configured rate", () => {
  it("splits the free default of 25/s over the minimum of two workers", () => {
    expect(deriveBroadcastRates({})).toMatchObject({
      totalPerSecond: 25,
      concurrency: 2,
      perWorkerPerSecond: 12.5,
      batchSize: 25, // two seconds of one worker's sending
      allowPaidBroadcast: false,
    });
  });

  it("uses 900/s by default in paid mode and never lets C workers exceed R together", () => {
    const paid = deriveBroadcastRates({ allowPaidBroadcast: true });
    expect(paid).toMatchObject({ totalPerSecond: 900, concurrency: 18, perWorkerPerSecond: 50 });
    for (const rate of [1, 7, 25, 29, 30]) {
      const rates = deriveBroadcastRates({ ratePerSecond: rate });
      expect(rates.concurrency * rates.perWorkerPerSecond).toBeCloseTo(rate, 9);
    }
    expect(deriveBroadcastRates({ ratePerSecond: 1000, allowPaidBroadcast: true }).concurrency).toBe(20);
  });

  it("sizes batches to about two seconds of one worker's sending, at most 100, well inside the timeout", () => {
    expect(deriveBroadcastRates({ ratePerSecond: 950, allowPaidBroadcast: true }).batchSize).toBe(100);
    for (const rate of [0.5, 3, 25, 29]) {
      const rates = deriveBroadcastRates({ ratePerSecond: rate, workerTimeoutSeconds: 120 });
      const seconds = rates.batchSize / rates.perWorkerPerSecond;
      expect(rates.batchSize === 1 || seconds <= 2.5).toBe(true);
      expect(seconds).toBeLessThanOrEqual(120 / 4);
    }
  });

  it("gives each limiter the largest burst with which C workers' worst second still fits Telegram's limit", () => {
    for (const [rate, paid] of [
      [10, false],
      [25, false],
      [29, false],
      [600, true],
      [900, true],
      [950, true],
    ] as const) {
      const rates = deriveBroadcastRates({ ratePerSecond: rate, allowPaidBroadcast: paid });
      const worst = rates.concurrency * worstSendsPerSecond(rates.perWorkerPerSecond, rates.burst, 0.02);
      expect(worst).toBeLessThanOrEqual(paid ? 1000 : 30);
      expect(rates.burst).toBeGreaterThanOrEqual(1);
    }
    expect(deriveBroadcastRates({ ratePerSecond: 25 }).burst).toBe(2);
    expect(deriveBroadcastRates({ ratePerSecond: 30 }).burst).toBe(1); // no slack left at the limit itself
  });

  it("refuses a rate above Telegram's limit, or not a number, and says how to fix it", () => {
    expect(() => deriveBroadcastRates({ ratePerSecond: 31 })).toThrow(InvalidBroadcastRateError);
    expect(() => deriveBroadcastRates({ ratePerSecond: 31 })).toThrow(/ALLOW_PAID_BROADCAST=true/);
    expect(() => deriveBroadcastRates({ ratePerSecond: 1001, allowPaidBroadcast: true })).toThrow(
      /at most 1000/,
    );
    expect(() => broadcastRatesFromSettings({ ratePerSecond: "fast" })).toThrow(InvalidBroadcastRateError);
    expect(
      broadcastRatesFromSettings({ ratePerSecond: "600", allowPaidBroadcast: "true" }).totalPerSecond,
    ).toBe(600);
  });
});

describe("the per-worker limiter", () => {
  it("never lets more than rate + 1 sends into any one-second window (burst 1.1)", async () => {
    const timer = new FakeTimer();
    const limiter = new RateLimiter(14.5, timer, 1.1);
    const sendTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      await limiter.acquire();
      sendTimes.push(timer.now());
      timer.time += i % 7 === 0 ? 9 : 0; // late timers and slow calls
    }
    const worstWindow = Math.max(
      ...sendTimes.map((start) => sendTimes.filter((t) => t >= start && t < start + 1000).length),
    );
    expect(worstWindow).toBeLessThanOrEqual(15);
    const rate = (sendTimes.length - 1) / ((sendTimes.at(-1) ?? 0) / 1000);
    expect(rate).toBeGreaterThan(14.3);
  });

  it("holds every send until retry_after has passed, then resumes the pace", () => {
    const timer = new FakeTimer();
    const limiter = new RateLimiter(10, timer);
    expect(limiter.reserve()).toBe(0);
    limiter.pauseFor(3000);
    expect(limiter.reserve()).toBe(3000);
    const next = limiter.reserve();
    expect(next).toBeGreaterThanOrEqual(3090); // one interval later, minus the 10% tolerance for late timers
    expect(next).toBeLessThanOrEqual(3100);
  });
});

describe("sending under Telegram's limits with two workers", () => {
  it("stays under Telegram's free limit across both workers at the default rate: no 429 at 25/s", async () => {
    const rig = await startRig({ ratePerSecond: 25, limits: { enabled: true, bulkPerSecond: 30 } });
    try {
      const ids = idRange(100, 30);
      await rig.addUsers(ids);
      const started = Date.now();
      const answer = await rig.post({ text: "Paced" });
      await rig.queue.idle();
      const seconds = (Date.now() - started) / 1000;
      expect(notExactly(rig.received(ids), 1)).toEqual({});
      expect(rig.emulator.stats().tooManyRequests).toBe(0);
      expect(ids.length / seconds).toBeLessThanOrEqual(30);
      expect(await rig.progress(answer.body.id)).toMatchObject({ status: "done", sent: 30 });
    } finally {
      await rig.stop();
    }
  });

  it("sends with allow_paid_broadcast in paid mode, where 36/s passes a bulk limit of 10/s", async () => {
    const rig = await startRig({
      ratePerSecond: 36,
      allowPaidBroadcast: true,
      limits: { enabled: true, bulkPerSecond: 10, paidBroadcastPerSecond: 50 },
    });
    try {
      const ids = idRange(200, 40);
      await rig.addUsers(ids);
      await rig.post({ text: "Paid" });
      await rig.queue.idle();
      expect(notExactly(rig.received(ids), 1)).toEqual({});
      expect(rig.emulator.stats().tooManyRequests).toBe(0);
      const sends = rig.emulator.callsOf("sendMessage");
      expect(sends.every((call) => call.params.allow_paid_broadcast === true)).toBe(true);
    } finally {
      await rig.stop();
    }
  });
});
