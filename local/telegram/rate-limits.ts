/**
 * Telegram's flood limits, so broadcasts and retries can be exercised locally: a bulk limit over all chats
 * (about 30 messages/s, or up to 1000/s for paid broadcasts), about one message per second to one chat with a
 * small burst, and 20 messages per minute to one group. Time comes from the injected clock, so tests step
 * through windows without sleeping.
 */

import { InvalidEmulatorInputError } from "./errors";

/** A source of the current time in milliseconds (Date.now by default; tests pass a fake). */
export interface EmulatorClock {
  now(): number;
}

/** The limits; off by default so functional tests never meet a 429. Switchable at run time. */
export interface RateLimits {
  /** Master switch for every limit below. */
  enabled: boolean;
  /** Messages per second across all chats (sliding one-second window). */
  bulkPerSecond: number;
  /** Messages per second across all chats for sends with `allow_paid_broadcast`, instead of the bulk limit. */
  paidBroadcastPerSecond: number;
  /** Sustained messages per second to one private chat. */
  perChatPerSecond: number;
  /** Messages one private chat may receive at once before `perChatPerSecond` applies. */
  perChatBurst: number;
  /** Messages per minute to one group chat (negative chat id; sliding one-minute window). */
  groupPerMinute: number;
}

/** Telegram's documented figures, with the limits switched off. */
export const defaultRateLimits: Readonly<RateLimits> = Object.freeze({
  enabled: false,
  bulkPerSecond: 30,
  paidBroadcastPerSecond: 1000,
  perChatPerSecond: 1,
  perChatBurst: 3,
  groupPerMinute: 20,
});

/** Checks a partial update of the limits and merges it over `current`. */
export function mergeRateLimits(current: RateLimits, change: Partial<RateLimits>): RateLimits {
  const merged = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (!(key in defaultRateLimits)) {
      throw new InvalidEmulatorInputError(
        `Unknown rate limit "${key}"; the limits are ${Object.keys(defaultRateLimits).join(", ")}.`,
      );
    }
    if (key === "enabled") {
      if (typeof value !== "boolean")
        throw new InvalidEmulatorInputError('Rate limit "enabled" must be true or false.');
      merged.enabled = value;
    } else {
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        throw new InvalidEmulatorInputError(
          `Rate limit "${key}" must be a positive number, got ${String(value)}.`,
        );
      }
      merged[key as Exclude<keyof RateLimits, "enabled">] = value;
    }
  }
  return merged;
}

/** Timestamps in a sliding window, oldest first. */
class SlidingWindow {
  private stamps: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Milliseconds until one more event fits under `limit`, or 0 if it fits now. */
  waitMs(now: number, limit: number): number {
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? 0) <= now - this.windowMs)
      this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    const inWindow = this.stamps.length - this.head;
    if (inWindow < limit) return 0;
    // The window frees a slot when the oldest event that keeps it full leaves it.
    const blocking = this.stamps[this.stamps.length - Math.floor(limit)] ?? now;
    return Math.max(1, blocking + this.windowMs - now);
  }

  record(now: number): void {
    this.stamps.push(now);
  }
}

interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

/** Admits or refuses message sends according to {@link RateLimits}. */
export class RateLimiter {
  private readonly bulk = new SlidingWindow(1000);
  private readonly paid = new SlidingWindow(1000);
  private readonly privateChats = new Map<number, TokenBucket>();
  private readonly groups = new Map<number, SlidingWindow>();

  constructor(
    private readonly clock: EmulatorClock,
    public limits: RateLimits,
  ) {}

  /**
   * Returns 0 when a send to `chatId` may go (and counts it), otherwise the seconds to wait (at least 1).
   * A refused send uses up nothing.
   */
  admit(chatId: number, paidBroadcast: boolean): number {
    if (!this.limits.enabled) return 0;
    const now = this.clock.now();
    const globalWindow = paidBroadcast ? this.paid : this.bulk;
    const globalLimit = paidBroadcast ? this.limits.paidBroadcastPerSecond : this.limits.bulkPerSecond;
    let waitMs = globalWindow.waitMs(now, globalLimit);
    let bucket: TokenBucket | undefined;
    let group: SlidingWindow | undefined;
    if (chatId < 0) {
      group = this.groups.get(chatId) ?? new SlidingWindow(60_000);
      this.groups.set(chatId, group);
      waitMs = Math.max(waitMs, group.waitMs(now, this.limits.groupPerMinute));
    } else {
      bucket = this.refill(chatId, now);
      if (bucket.tokens < 1) {
        waitMs = Math.max(waitMs, ((1 - bucket.tokens) / this.limits.perChatPerSecond) * 1000);
      }
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    globalWindow.record(now);
    group?.record(now);
    if (bucket) bucket.tokens -= 1;
    return 0;
  }

  private refill(chatId: number, now: number): TokenBucket {
    const burst = Math.max(1, this.limits.perChatBurst);
    const bucket = this.privateChats.get(chatId) ?? { tokens: burst, updatedAt: now };
    const elapsedMs = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs / 1000) * this.limits.perChatPerSecond);
    bucket.updatedAt = now;
    this.privateChats.set(chatId, bucket);
    return bucket;
  }
}
