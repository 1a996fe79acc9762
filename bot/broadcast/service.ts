/**
 * The admin side of broadcasts: record one (idempotently, by request id), queue its start, report its
 * progress, cancel it. The admin API and the bot's /broadcast both go through this; delivery is the
 * worker's job (worker.ts).
 */
import { createHash } from "node:crypto";
import { metricNames } from "../../contracts/metrics";
import type { JobQueue } from "../jobs/port";
import type { Metrics } from "../observability/metrics";
import type { BroadcastQueue, BroadcastRequest, Clock } from "../ports";
import { type BroadcastProgress, progressOf } from "./progress";
import type { BroadcastStore } from "./store/port";
import { validateBroadcastRequest } from "./validation";

/** The broadcast id for a request id: stable (a retried request finds its broadcast), short, URL-safe. */
export function broadcastIdFor(requestId: string): string {
  return createHash("sha256").update(requestId).digest("base64url").slice(0, 16);
}

/** Sends in flight when a broadcast is cancelled settle within a couple of seconds; then its final numbers are posted. */
export const settleSecondsAfterCancel = 3;

/** Thrown when cancelling a broadcast that already ended; says how it ended. */
export class BroadcastFinishedError extends Error {
  constructor(
    readonly id: string,
    readonly status: string,
  ) {
    super(`Broadcast ${id} is already ${status}; only a queued or running broadcast can be cancelled.`);
    this.name = "BroadcastFinishedError";
  }
}

/** Thrown when a request id (Idempotency-Key) already recorded a broadcast with different content. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly requestId: string) {
    super(
      `The idempotency key "${requestId}" was already used for a broadcast with different content; ` +
        "use a new key for a new broadcast, or resend exactly the same body to get the first one back.",
    );
    this.name = "IdempotencyKeyReusedError";
  }
}

/** What a broadcast says and to whom: two requests with one key must agree on this. */
function contentOf(request: BroadcastRequest): string {
  const { text, parseMode, buttons, audience, progressChatId } = request;
  return JSON.stringify([
    text,
    parseMode ?? null,
    buttons ?? [],
    audience?.languages ?? null,
    audience?.topics ?? null,
    progressChatId ?? null,
  ]);
}

/** A {@link BroadcastQueue} that can also report progress and cancel: what admins need. */
export interface ManagedBroadcastQueue extends BroadcastQueue {
  /** Progress of a broadcast, or undefined for an unknown id. */
  progress(id: string): Promise<BroadcastProgress | undefined>;
  /**
   * Cancels a queued or running broadcast: recipients not yet claimed get nothing. Returns the progress, or
   * undefined for an unknown id.
   * @throws BroadcastFinishedError when it already ended
   */
  cancel(id: string): Promise<BroadcastProgress | undefined>;
}

/** Whether a queue offers progress and cancel (the in-memory recorder of the bot tests does not). */
export function isManagedBroadcastQueue(queue: BroadcastQueue): queue is ManagedBroadcastQueue {
  const candidate = queue as Partial<ManagedBroadcastQueue>;
  return typeof candidate.progress === "function" && typeof candidate.cancel === "function";
}

/** What the service needs. `jobs` may be resolved late (see dynamodb-queue.ts). */
export interface BroadcastServiceDeps {
  store: BroadcastStore;
  jobs: JobQueue | (() => JobQueue);
  clock: Clock;
  /** The configured total rate R and paid switch, recorded until the worker records its own at start. */
  rates?: { totalPerSecond: number; allowPaidBroadcast: boolean };
  /** Counts `BroadcastStarted` once per recorded broadcast (not per idempotent retry), for /stats. */
  metrics?: Metrics | undefined;
}

/** {@link ManagedBroadcastQueue} over a {@link BroadcastStore} and a {@link JobQueue}. */
export class BroadcastService implements ManagedBroadcastQueue {
  constructor(private readonly deps: BroadcastServiceDeps) {}

  private jobs(): JobQueue {
    const { jobs } = this.deps;
    return typeof jobs === "function" ? jobs() : jobs;
  }

  /**
   * Validates, records the broadcast (once per request id) and queues its start. A repeated request returns
   * the same id; its start is queued again only while it is still queued (a lost first attempt).
   * @throws InvalidBroadcastError for an empty or over-long text, a wrong parse mode or bad buttons
   * @throws IdempotencyKeyReusedError when the request id already recorded a different broadcast
   */
  async enqueue(request: BroadcastRequest): Promise<{ id: string }> {
    const valid = validateBroadcastRequest(request);
    const jobs = this.jobs(); // fail before recording anything when no queue is configured
    const id = broadcastIdFor(valid.requestId);
    const { record, created } = await this.deps.store.create({
      id,
      status: "queued",
      request: valid,
      createdAt: this.deps.clock.now().toISOString(),
      ratePerSecond: this.deps.rates?.totalPerSecond ?? 0,
      allowPaidBroadcast: this.deps.rates?.allowPaidBroadcast ?? false,
    });
    if (!created && contentOf(record.request) !== contentOf(valid))
      throw new IdempotencyKeyReusedError(valid.requestId);
    if (created) this.deps.metrics?.count(metricNames.broadcastStarted);
    if (record.status === "queued") await jobs.send([{ type: "broadcast.start", broadcastId: id }]);
    return { id };
  }

  /** @inheritdoc */
  async progress(id: string): Promise<BroadcastProgress | undefined> {
    const record = await this.deps.store.get(id);
    if (!record) return undefined;
    return progressOf(record, await this.deps.store.counters(id), this.deps.clock.now());
  }

  /**
   * @inheritdoc
   * Sends queued after the cancel are skipped by the workers; the final numbers reach the admin's progress
   * message through a `broadcast.finish` job once the sends in flight have settled.
   */
  async cancel(id: string): Promise<BroadcastProgress | undefined> {
    const cancelled = await this.deps.store.transition(id, ["queued", "running"], "cancelled", {
      finishedAt: this.deps.clock.now().toISOString(),
    });
    if (cancelled?.progressMessageId !== undefined)
      await this.jobs().send([{ type: "broadcast.finish", broadcastId: id }], {
        delaySeconds: settleSecondsAfterCancel,
      });
    if (!cancelled) {
      const record = await this.deps.store.get(id);
      if (!record) return undefined;
      if (record.status !== "cancelled") throw new BroadcastFinishedError(id, record.status);
    }
    return this.progress(id);
  }
}
