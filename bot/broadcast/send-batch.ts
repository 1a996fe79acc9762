/**
 * `broadcast.send`: one batch of a broadcast's recipients, exactly once each (worker.ts argues why). In steps:
 * 1. read what is known of the batch's recipients (one range query) and skip those already final;
 * 2. deliver to the rest through the shared claim -> send -> record loop (deliver-claimed.ts), re-reading the
 *    broadcast's status as it goes so a cancel stops it within `statusRefreshMs`;
 * 3. if the broadcast was cancelled (or Telegram rejected its text), mark the untouched recipients cancelled;
 * 4. if someone is still unresolved, send the job again (after the other holder's lease, or at once);
 * 5. otherwise count the batch once, and finish the broadcast if it was the last one.
 * The state of one run lives in a {@link BatchDelivery}, not in flags shared by closures.
 */
import type { BroadcastRates } from "../../contracts/broadcast-rates";
import type { BroadcastRequest } from "../ports";
import { type ClaimedDelivery, deliverClaimed, type SentStatus } from "./deliver-claimed";
import { done, type Invocation, type JobResult, secondsUntil, type WorkerDeps } from "./delivery";
import { describeJob, type JobOf, type Recipient } from "./jobs";
import { editProgressMessage, finishIfComplete } from "./progress-message";
import type { SendOutcome } from "./send";
import {
  type BatchCounts,
  type BroadcastRecord,
  batchKey,
  isFinalStatus,
  type RecipientKey,
  type RecipientOutcomeStatus,
  type RecipientState,
} from "./store/port";

type SendJob = JobOf<"broadcast.send">;

/** Re-reads the broadcast's status at most every `statusRefreshMs`, sharing one read between concurrent sends. */
class StatusWatch {
  private fetchedAt: number;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    public record: BroadcastRecord,
  ) {
    this.fetchedAt = deps.timer.now();
  }

  async current(force = false): Promise<BroadcastRecord> {
    if (force || this.deps.timer.now() - this.fetchedAt >= this.deps.settings.statusRefreshMs) {
      this.pending ??= this.deps.store.get(this.record.id).then((record) => {
        if (record) this.record = record;
        this.fetchedAt = this.deps.timer.now();
        this.pending = undefined;
      });
      await this.pending;
    }
    return this.record;
  }
}

/** Telegram options of a broadcast message. */
export function broadcastSendOptions(
  request: BroadcastRequest,
  rates: Pick<BroadcastRates, "allowPaidBroadcast">,
) {
  return {
    ...(request.parseMode ? { parse_mode: request.parseMode } : {}),
    ...(request.buttons && request.buttons.length > 0
      ? {
          reply_markup: {
            inline_keyboard: request.buttons.map((button) => [{ text: button.text, url: button.url }]),
          },
        }
      : {}),
    ...(rates.allowPaidBroadcast ? { allow_paid_broadcast: true } : {}),
  };
}

/** One run of a batch: what is known of each recipient, and how the delivery went. */
class BatchDelivery implements ClaimedDelivery<Recipient, RecipientKey, RecipientOutcomeStatus> {
  /** Final outcomes, known or recorded. */
  readonly outcomes = new Map<number, RecipientOutcomeStatus>();
  /** Recipients someone else holds a live claim on, with the end of that claim's lease. */
  readonly held = new Map<number, number>();
  /** A recipient of this batch was claimed (or found claimed) by someone: the batch was started. */
  touched: boolean;
  /** The delivery stopped before trying everyone. */
  halted = false;
  /** Telegram's reason for refusing the text itself, if it did. */
  rejected: string | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    readonly job: SendJob,
    readonly watch: StatusWatch,
    private readonly known: Map<number, RecipientState>,
    /** Timer time after which no send starts (the invocation's deadline). */
    private readonly deadline: number,
  ) {
    this.touched = known.size > 0;
    for (const [userId, state] of known)
      if (isFinalStatus(state.status)) this.outcomes.set(userId, state.status as RecipientOutcomeStatus);
  }

  get claims() {
    return this.deps.store;
  }

  key(recipient: Pick<Recipient, "userId">): RecipientKey {
    return { broadcastId: this.job.broadcastId, shard: this.job.shard, userId: recipient.userId };
  }

  userId(recipient: Recipient): number {
    return recipient.userId;
  }

  /** Recipients without a final outcome yet. */
  todo(): Recipient[] {
    return this.job.recipients.filter((recipient) => !this.outcomes.has(recipient.userId));
  }

  async before(recipient: Recipient, nowMs: number): Promise<"claim" | "skip" | "stop"> {
    const record = await this.watch.current();
    if (record.status !== "running" || this.deps.timer.now() > this.deadline) return "stop";
    const known = this.known.get(recipient.userId);
    if (known?.status === "sending" && (known.leaseUntil ?? Number.POSITIVE_INFINITY) >= nowMs) {
      this.held.set(recipient.userId, known.leaseUntil ?? nowMs);
      return "skip";
    }
    return "claim";
  }

  refused(recipient: Recipient): Promise<void> {
    return this.resolveFromStore(recipient.userId);
  }

  /** Reads a recipient someone else holds or finished: its outcome, or the end of its holder's lease. */
  async resolveFromStore(userId: number): Promise<void> {
    const fresh = await this.deps.store.state(this.key({ userId }));
    if (fresh && isFinalStatus(fresh.status))
      this.outcomes.set(userId, fresh.status as RecipientOutcomeStatus);
    else this.held.set(userId, fresh?.leaseUntil ?? this.deps.clock.now().getTime());
  }

  async prepare(recipient: Recipient) {
    this.touched = true;
    const { request } = this.watch.record;
    return {
      send: () =>
        this.deps.api.sendMessage(
          recipient.chatId,
          request.text,
          broadcastSendOptions(request, this.deps.rates),
        ),
      fields: (outcome: Exclude<SendOutcome, { kind: "unfinished" }>) => ({
        detail: outcome.kind === "delivered" ? undefined : outcome.detail,
      }),
    };
  }

  async recorded(recipient: Recipient, status: RecipientOutcomeStatus | SentStatus, recorded: boolean) {
    if (recorded) this.outcomes.set(recipient.userId, status);
    else await this.resolveFromStore(recipient.userId);
  }

  postponed(recipient: Recipient, detail: string): void {
    this.deps.logger.info("send postponed", { ...describeJob(this.job), userId: recipient.userId, detail });
  }

  stopsAfter(outcome: SendOutcome): boolean {
    if (outcome.kind !== "failed" || !outcome.formatting) return false;
    this.rejected = outcome.detail;
    return true;
  }

  /** Outcome counts of the batch (every recipient final). */
  counts(): BatchCounts {
    const counts: BatchCounts = { sent: 0, blocked: 0, failed: 0 };
    for (const status of this.outcomes.values()) {
      if (status === "delivered") counts.sent += 1;
      else if (status === "blocked") counts.blocked += 1;
      else if (status === "failed") counts.failed += 1;
    }
    return counts;
  }
}

/** Handles a `broadcast.send` job; see the module comment. */
export async function sendBatch(deps: WorkerDeps, job: SendJob, invocation: Invocation): Promise<JobResult> {
  const initial = await deps.store.get(job.broadcastId);
  if (!initial) {
    deps.logger.warn("batch of an unknown broadcast dropped", describeJob(job));
    return done;
  }
  if (initial.status === "queued")
    return { kind: "retry", job, delaySeconds: 5, reason: "the broadcast has not started yet" };
  if (initial.status === "done") return done; // every batch was counted

  const userIds = job.recipients.map((recipient) => recipient.userId);
  const known = await deps.store.recipients(job.broadcastId, job.shard, userIds);
  const batch = new BatchDelivery(deps, job, new StatusWatch(deps, initial), known, invocation.deadline);
  const todo = batch.todo();
  if (initial.status === "running" && todo.length > 0)
    batch.halted = (await deliverClaimed(deps, invocation, todo, batch)).halted;

  const record = await settleStopped(deps, batch);
  if (record === "untouched") return done;
  const unresolved = batch.todo();
  if (unresolved.length > 0) return retryLater(deps, batch);
  return countBatch(deps, batch);
}

/**
 * After the delivery: a text Telegram rejects fails the broadcast; a cancelled or failed broadcast's batch
 * marks its unclaimed recipients `cancelled` so it can be counted exactly, unless nobody touched it (its
 * recipients then stay the broadcast's "remaining").
 */
async function settleStopped(deps: WorkerDeps, batch: BatchDelivery): Promise<BroadcastRecord | "untouched"> {
  // A batch that ran to its end re-reads the status only if the last read is old; a halted one always does.
  let record = await batch.watch.current(batch.halted);
  if (batch.rejected && record.status === "running") {
    record =
      (await deps.store.transition(record.id, ["running"], "failed", {
        finishedAt: deps.clock.now().toISOString(),
        error: `Telegram rejected the text: ${batch.rejected}. Fix the formatting and send a new broadcast.`,
      })) ?? (await batch.watch.current(true));
    deps.logger.error("broadcast stopped: Telegram rejects its text", {
      broadcastId: record.id,
      detail: batch.rejected,
    });
  }
  if (record.status !== "cancelled" && record.status !== "failed") return record;
  if (!batch.touched && batch.outcomes.size === 0) return "untouched";
  for (const { userId } of batch.job.recipients) {
    if (batch.outcomes.has(userId) || batch.held.has(userId)) continue;
    const key = batch.key({ userId });
    if (await deps.store.settle(key, "cancelled", deps.clock.now().getTime()))
      batch.outcomes.set(userId, "cancelled");
    else await batch.resolveFromStore(userId);
  }
  return record;
}

/** Some recipients are not final: after the latest lease someone else holds, or now (out of time). */
function retryLater(deps: WorkerDeps, batch: BatchDelivery): JobResult {
  const leases = [...batch.held.values()];
  return leases.length > 0
    ? {
        kind: "retry",
        job: batch.job,
        delaySeconds: secondsUntil(leases, deps.clock.now().getTime()),
        reason: "recipients held by another delivery",
      }
    : { kind: "retry", job: batch.job, delaySeconds: 0, reason: "out of time" };
}

/** Counts a complete batch once, then finishes the broadcast or edits its progress. */
async function countBatch(deps: WorkerDeps, batch: BatchDelivery): Promise<JobResult> {
  const { job, watch } = batch;
  const counters = await deps.store.countBatch({
    broadcastId: job.broadcastId,
    shard: job.shard,
    batchKey: batchKey(job.part, job.batch),
    counts: batch.counts(),
  });
  // Fresh status: if the broadcast was cancelled meanwhile, this count must reach the final numbers shown.
  const record = await watch.current(true);
  if (!counters) {
    // Counted already: by another delivery, or by this one when DynamoDB's answer was lost and the client's
    // retry was refused by its own first write. Either way a complete broadcast must still be finished here,
    // since nobody else may be left to do it (finishing twice is harmless: the transition is conditional).
    if (record.status === "running")
      await finishIfComplete(deps, record, await deps.store.shardCounters(job.broadcastId, job.shard));
    return done;
  }
  if (record.status === "running") {
    await finishIfComplete(deps, record, counters);
    await editProgressMessage(deps, record, false);
  } else await editProgressMessage(deps, record, true);
  return done;
}
