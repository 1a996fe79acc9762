/**
 * What a worker invocation works with, shared by the broadcast jobs (worker.ts) and the daily tips
 * (bot/recommendations/daily.ts): the ports, the per-worker limiter, the invocation's deadline and lease,
 * and small helpers both use.
 */
import type { Api } from "grammy";
import type { Content } from "../../content/schema";
import type { BroadcastRates } from "../../contracts/broadcast-rates";
import type { JobQueue } from "../jobs/port";
import type { Clock, Logger } from "../ports";
import type { TipStore } from "../recommendations/store";
import { UserNotFoundError } from "../storage/errors";
import type { UserStore } from "../storage/port";
import type { Job } from "./jobs";
import type { RateLimiter, Timer } from "./limiter";
import type { RetryPolicy } from "./send";
import type { BroadcastStore } from "./store/port";

/** Tunables of the worker; tests shrink the intervals. */
export interface WorkerSettings {
  /** How often a running batch re-reads the broadcast's status (a cancel takes effect within this). */
  statusRefreshMs: number;
  /** Minimum time between two edits of the admin's progress message, across all workers. */
  progressIntervalMs: number;
  /** Audience profiles read per planning step (one plan part). */
  planPageSize: number;
  /**
   * Time kept free at the end of an invocation: no send starts and no wait ends later than the remaining time
   * minus this. It exceeds the Bot API request timeout (10 s, environment.ts), so a request started before
   * the deadline always ends before Lambda's timeout could kill it mid-send.
   */
  deadlineMarginMs: number;
  /** Added to the invocation's remaining time to form the claim lease: the holder is surely gone after it. */
  leaseGraceMs: number;
  /**
   * Records of one SQS event processed at once (sharing the instance's limiter): while one batch does its
   * bookkeeping at the end, the other keeps sending, so the rate has no gap between batches.
   */
  recordConcurrency: number;
}

/** Defaults for a 120 s worker. */
export const defaultWorkerSettings: WorkerSettings = {
  statusRefreshMs: 1000,
  progressIntervalMs: 3000,
  planPageSize: 500,
  deadlineMarginMs: 15_000,
  leaseGraceMs: 10_000,
  recordConcurrency: 2,
};

/** Test hooks that simulate a crash at precise points; never set in production. */
export interface WorkerFaults {
  /** Called after a recipient is claimed, before the Bot API call. */
  afterClaim?(job: Job, userId: number): void | Promise<void>;
  /** Called after a recipient's outcome is recorded. */
  afterRecord?(job: Job, userId: number): void | Promise<void>;
}

/** Everything a worker needs, injected (the handler builds it from the environment). */
export interface WorkerDeps {
  store: BroadcastStore;
  users: UserStore;
  tips: TipStore;
  jobs: JobQueue;
  api: Api;
  content: Content;
  rates: BroadcastRates;
  /** This worker instance's limiter at R / C; shared by every job of the instance. */
  limiter: RateLimiter;
  /** Monotonic time for pacing, backoff and deadlines. */
  timer: Timer;
  /** Wall time for leases and time stamps (a fake one in tests). */
  clock: Clock;
  logger: Logger;
  retry: RetryPolicy;
  settings: WorkerSettings;
  faults?: WorkerFaults;
  random?: () => number;
}

/** One invocation: its id (claim owner prefix) and when it must stop. */
export interface Invocation {
  id: string;
  /** Timer time after which nothing new may start (remaining time minus the margin). */
  deadline: number;
  /** Wall-clock ms until which a claim made now is leased. */
  leaseUntil(): number;
}

/** What became of a job: finished, or to be sent again (the same or a narrowed job) after a delay. */
export type JobResult = { kind: "done" } | { kind: "retry"; job: Job; delaySeconds: number; reason: string };

/** The job is finished. */
export const done: JobResult = { kind: "done" };

/**
 * Runs `task` over `items` with at most `concurrency` at once, in order of start. After the first failure no
 * new item starts; the running ones finish, then the failure is rethrown (as a crashed invocation would stop).
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && !failure && !shouldStop()) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  if (failure) throw failure.error;
}

/** Telegram said the user is unreachable (403, chat not found): never send to them again until they return. */
export async function markUnreachable(deps: WorkerDeps, userId: number): Promise<void> {
  try {
    await deps.users.update(userId, {
      blocked: true,
      subscribed: false,
      updatedAt: deps.clock.now().toISOString(),
    });
  } catch (error) {
    if (!(error instanceof UserNotFoundError)) throw error;
  }
}

/** Seconds until the latest of these leases ends (at least 1, at most SQS's 900). */
export function secondsUntil(leases: readonly number[], nowMs: number): number {
  const latest = Math.max(nowMs, ...leases);
  return Math.min(900, Math.max(1, Math.ceil((latest - nowMs) / 1000)));
}

/**
 * Retries a write that must follow a send (its outcome) a few times: if it failed for good, the claim would
 * stay `sending` and the recipient would be sent to again after the lease (the at-least-once window).
 */
export async function withRetries<T>(write: () => Promise<T>, attempts = 4, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}
