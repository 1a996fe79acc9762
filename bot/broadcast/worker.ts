/**
 * The broadcast worker: what one SQS message (one {@link Job}) does, and the SQS consumer around it.
 *
 * Exactly once per recipient, argued per step (docs/scale.md has the long form):
 * - A recipient is sent to only by the delivery that CLAIMED them: a conditional write of `R#<userId>` that
 *   succeeds for one writer only. The outcome is recorded after the send, conditioned on still holding the
 *   claim. A re-delivered batch skips recipients already finished, so it never sends twice and, since it
 *   retries everyone not finished, skips nobody.
 * - A claim whose holder died mid-send stays `sending` until its lease ends (the holder's invocation deadline
 *   plus a grace period, so the holder is surely gone); then it is claimed and sent again. Only a worker that
 *   dies between Telegram accepting the message and the outcome write can cause a duplicate: the at-least-once
 *   window of one message, the same window as a retried network error.
 * - Counters are exact: a batch is counted once (its key joins a set on the shard's counter item in the same
 *   conditional write that adds its outcomes), and only when every recipient of it is final, so all deliveries
 *   of a batch compute the same counts from the same final outcomes.
 * - Totals are exact: each planned part's recipients are fixed by its first writer (`PLAN#<part>`) and added to
 *   the shard total once, in part order.
 * - Cancel: a batch of a cancelled broadcast that nobody touched is left alone (its recipients stay
 *   "remaining"); one that was touched marks its unclaimed recipients `cancelled` so it can be counted exactly.
 */
import { randomUUID } from "node:crypto";
import { InlineKeyboard } from "grammy";
import type { BroadcastRates } from "../../contracts/broadcast-rates";
import { audienceShards } from "../../contracts/table";
import { callbackData } from "../callback-data";
import { translator } from "../i18n";
import type { BroadcastRequest } from "../ports";
import { sendTipBatch } from "../recommendations/daily";
import {
  done,
  forEachConcurrent,
  type Invocation,
  type JobResult,
  markUnreachable,
  secondsUntil,
  type WorkerDeps,
  withRetries,
} from "./delivery";
import type { InvocationContext, QueueConsumer } from "./job-queue";
import { describeJob, type Job, type JobOf, parseJob } from "./jobs";
import { progressOf, progressText } from "./progress";
import { sendWithRetries } from "./send";
import {
  type BatchCounts,
  type BroadcastRecord,
  batchKey,
  finishedStatuses,
  isFinalStatus,
  type RecipientStatus,
  type ShardCounters,
} from "./store";
import { inAudience } from "./validation";

type FinalStatus = Exclude<RecipientStatus, "sending" | "released">;

/** Handles one job; see the module comment. */
export type JobProcessor = (job: Job, invocation: Invocation) => Promise<JobResult>;

/** Builds the job processor over the worker's dependencies. */
export function createJobProcessor(deps: WorkerDeps): JobProcessor {
  return (job, invocation) => {
    switch (job.type) {
      case "broadcast.start":
        return startBroadcast(deps, job);
      case "broadcast.finish":
        return finishBroadcast(deps, job);
      case "broadcast.plan":
        return planShard(deps, job, invocation);
      case "broadcast.send":
        return sendBatch(deps, job, invocation);
      case "tips.send":
        return sendTipBatch(deps, job, invocation);
    }
  };
}

/**
 * The SQS consumer (Lambda handler body): processes the records (two at a time, see `recordConcurrency`),
 * re-queues a job that asks to be retried later (or that no time is left for) and acknowledges it, and
 * reports a record whose processing threw as a batch item failure so SQS delivers it again.
 */
export function createQueueConsumer(deps: WorkerDeps, processor = createJobProcessor(deps)): QueueConsumer {
  return async (event, context: InvocationContext) => {
    const startedAt = deps.timer.now();
    const budget = context.getRemainingTimeInMillis();
    const invocation: Invocation = {
      id: randomUUID().slice(0, 13),
      deadline: startedAt + budget - deps.settings.deadlineMarginMs,
      leaseUntil: () =>
        deps.clock.now().getTime() + context.getRemainingTimeInMillis() + deps.settings.leaseGraceMs,
    };
    const failed = new Set<string>();
    await forEachConcurrent(event.Records, deps.settings.recordConcurrency, async (record) => {
      let job: Job;
      try {
        job = parseJob(record.body);
      } catch (error) {
        deps.logger.error("poison message on the broadcast queue", {
          messageId: record.messageId,
          error: (error as Error).message,
        });
        failed.add(record.messageId);
        return;
      }
      try {
        if (deps.timer.now() > invocation.deadline) {
          await deps.jobs.send([job]);
          return;
        }
        const result = await processor(job, invocation);
        if (result.kind === "retry") {
          deps.logger.info("job continues later", { ...describeJob(job), reason: result.reason });
          await deps.jobs.send([result.job], { delaySeconds: result.delaySeconds });
        }
      } catch (error) {
        deps.logger.error("job failed; the queue will deliver it again", {
          ...describeJob(job),
          receiveCount: record.attributes?.ApproximateReceiveCount,
          error: (error as Error).message,
        });
        failed.add(record.messageId);
      }
    });
    const failures = event.Records.filter((record) => failed.has(record.messageId)).map((record) => ({
      itemIdentifier: record.messageId,
    }));
    return { batchItemFailures: failures };
  };
}

// ------------------------------------------------------------------------------------------------ start

async function startBroadcast(deps: WorkerDeps, job: JobOf<"broadcast.start">): Promise<JobResult> {
  const { store } = deps;
  const id = job.broadcastId;
  let record = await store.get(id);
  if (!record) {
    deps.logger.warn("broadcast to start does not exist", { broadcastId: id });
    return done;
  }
  if (record.status === "queued") {
    record =
      (await store.transition(id, ["queued"], "running", {
        startedAt: deps.clock.now().toISOString(),
        ratePerSecond: deps.rates.totalPerSecond,
        allowPaidBroadcast: deps.rates.allowPaidBroadcast,
      })) ?? (await store.get(id));
  }
  if (record?.status !== "running" || record.plansEnqueued) return done;
  if (record.request.progressChatId !== undefined && record.progressMessageId === undefined)
    await postProgressMessage(deps, record);
  await deps.jobs.send(
    Array.from({ length: audienceShards }, (_, shard) => ({
      type: "broadcast.plan" as const,
      broadcastId: id,
      shard,
      part: 0,
    })),
  );
  await store.markPlansEnqueued(id);
  deps.logger.info("broadcast started", { broadcastId: id, ratePerSecond: deps.rates.totalPerSecond });
  return done;
}

/** A cancelled broadcast has settled: show the admin its final numbers. */
async function finishBroadcast(deps: WorkerDeps, job: JobOf<"broadcast.finish">): Promise<JobResult> {
  const record = await deps.store.get(job.broadcastId);
  if (record && finishedStatuses.includes(record.status)) await editProgressMessage(deps, record, true);
  return done;
}

function stopKeyboard(deps: WorkerDeps, id: string, language: string): InlineKeyboard {
  return new InlineKeyboard().text(
    translator(deps.content, language)("broadcast.stop"),
    callbackData.broadcastStop.encode(id),
  );
}

/** Posts the admin's progress message (at most once per broadcast; a failure never blocks the broadcast). */
async function postProgressMessage(deps: WorkerDeps, record: BroadcastRecord): Promise<void> {
  const chatId = record.request.progressChatId;
  if (chatId === undefined) return;
  const admin = await deps.users.get(record.request.requestedBy);
  const language = admin?.language ?? deps.content.settings.defaultLanguage;
  const text = progressText(deps.content, language, progressOf(record, [], deps.clock.now()));
  await deps.limiter.acquire();
  try {
    const message = await deps.api.sendMessage(chatId, text, {
      reply_markup: stopKeyboard(deps, record.id, language),
    });
    await deps.store.setProgressMessage(record.id, message.message_id, language);
  } catch (error) {
    deps.logger.warn("could not post the broadcast progress message", {
      broadcastId: record.id,
      error: (error as Error).message,
    });
  }
}

/**
 * Edits the admin's progress message if this worker wins the (rate-bounded) right to: at most one running
 * edit per `progressIntervalMs` across all workers and none after a final one. Final edits (done, cancelled,
 * failed) always go out, so the last one shows the numbers after the last batch counted.
 */
async function editProgressMessage(deps: WorkerDeps, record: BroadcastRecord, final: boolean): Promise<void> {
  const chatId = record.request.progressChatId;
  const messageId = record.progressMessageId;
  if (chatId === undefined || messageId === undefined) return;
  const nowMs = deps.clock.now().getTime();
  // Skip the conditional write when the last edit we know of is recent; the write decides between workers.
  if (
    !final &&
    (record.progressEditedAt ?? Number.NEGATIVE_INFINITY) > nowMs - deps.settings.progressIntervalMs
  )
    return;
  if (!(await deps.store.claimProgressEdit(record.id, nowMs, deps.settings.progressIntervalMs, final)))
    return;
  const fresh = (await deps.store.get(record.id)) ?? record;
  const language = fresh.progressLanguage ?? deps.content.settings.defaultLanguage;
  const progress = progressOf(fresh, await deps.store.counters(record.id), deps.clock.now());
  const edit = async () => {
    await deps.api.editMessageText(chatId, messageId, progressText(deps.content, language, progress), {
      reply_markup: final ? new InlineKeyboard() : stopKeyboard(deps, record.id, language),
    });
    return { message_id: messageId };
  };
  // A running edit is one of many: one attempt. The final one is the admin's only news of the end, and
  // edits share the chat's rate limit with the progress posts, so it waits out a 429 or a 5xx (bounded).
  const outcome = await sendWithRetries(edit, {
    limiter: deps.limiter,
    timer: deps.timer,
    retry: final ? deps.retry : { ...deps.retry, maxAttempts: 1, maxRateLimited: 0 },
    deadline: deps.timer.now() + editPatienceMs,
    ...(deps.random ? { random: deps.random } : {}),
  });
  if (outcome.kind !== "delivered" && !outcome.detail.includes("message is not modified"))
    deps.logger.warn("could not edit the broadcast progress message", {
      broadcastId: record.id,
      final,
      error: outcome.detail,
    });
}

/** How long a progress edit may wait for its turn (and a final one, out Telegram's 429s and 5xx answers). */
const editPatienceMs = 30_000;

// ------------------------------------------------------------------------------------------------ plan

async function planShard(
  deps: WorkerDeps,
  job: JobOf<"broadcast.plan">,
  invocation: Invocation,
): Promise<JobResult> {
  const { store } = deps;
  const id = job.broadcastId;
  const record = await store.get(id);
  if (!record) return done;
  if (record.status !== "running") return done; // cancelled: the finish job posts the final numbers
  let counters = await store.shardCounters(id, job.shard);
  let part = job.part;
  let cursor = job.cursor;
  for (;;) {
    if (deps.timer.now() > invocation.deadline) {
      const continuation: JobOf<"broadcast.plan"> = { ...job, part, ...(cursor ? { cursor } : {}) };
      return {
        kind: "retry",
        job: continuation,
        delaySeconds: 0,
        reason: "planning continues in a new invocation",
      };
    }
    if (part !== job.part) {
      const current = await store.get(id);
      if (current?.status !== "running") return done;
    }
    // A part recorded as planned has its plan stored; any other part is paged (again, after a crash) and the
    // first writer's plan wins.
    let plan = (counters.plannedPart ?? -1) >= part ? await store.getPlan(id, job.shard, part) : undefined;
    if (!plan) {
      const page = await deps.users.listAudience(job.shard, {
        limit: deps.settings.planPageSize,
        ...(cursor ? { cursor } : {}),
      });
      const recipients = page.items
        .filter((user) => inAudience(user, record.request.audience))
        .map((user) => ({ userId: user.userId, chatId: user.chatId }));
      plan = await store.putPlan(id, {
        shard: job.shard,
        part,
        recipients,
        batchSize: deps.rates.batchSize,
        ...(page.cursor ? { nextCursor: page.cursor } : {}),
      });
    }
    if ((counters.plannedPart ?? -1) < part) {
      const batches: JobOf<"broadcast.send">[] = [];
      for (let start = 0, batch = 0; start < plan.recipients.length; start += plan.batchSize, batch++)
        batches.push({
          type: "broadcast.send",
          broadcastId: id,
          shard: job.shard,
          part,
          batch,
          recipients: plan.recipients.slice(start, start + plan.batchSize),
        });
      // Batches first, then the total: a crash in between re-sends the batches (harmless), never loses them.
      if (batches.length > 0) await deps.jobs.send(batches);
      const recorded = await store.recordPlanned(
        id,
        job.shard,
        part,
        plan.recipients.length,
        !plan.nextCursor,
      );
      // Not recorded: by a duplicate planner, or by this one with DynamoDB's answer lost. Either way the
      // fresh counters decide whether the broadcast is complete (finishing twice is harmless).
      counters = recorded ?? (await store.shardCounters(id, job.shard));
      if (counters.planComplete) await finishIfComplete(deps, record, counters);
    }
    if (!plan.nextCursor) return done;
    part += 1;
    cursor = plan.nextCursor;
  }
}

function handled(counters: { sent: number; blocked: number; failed: number }): number {
  return counters.sent + counters.blocked + counters.failed;
}

/** Marks the broadcast done when every shard is planned and every planned recipient has an outcome. */
async function finishIfComplete(
  deps: WorkerDeps,
  record: BroadcastRecord,
  shard: ShardCounters,
): Promise<void> {
  if (!shard.planComplete || handled(shard) < shard.total) return;
  const all = await deps.store.counters(record.id);
  if (!all.every((counters) => counters.planComplete && handled(counters) >= counters.total)) return;
  const finished = await deps.store.transition(record.id, ["running"], "done", {
    finishedAt: deps.clock.now().toISOString(),
  });
  const current = finished ?? (await deps.store.get(record.id));
  if (finished) {
    const progress = progressOf(finished, all, deps.clock.now());
    deps.logger.info("broadcast done", {
      broadcastId: record.id,
      sent: progress.sent,
      blocked: progress.blocked,
      failed: progress.failed,
      total: progress.total,
      ratePerSecond: progress.ratePerSecond,
    });
  }
  if (current && finishedStatuses.includes(current.status)) await editProgressMessage(deps, current, true);
}

// ------------------------------------------------------------------------------------------------ send

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

async function sendBatch(
  deps: WorkerDeps,
  job: JobOf<"broadcast.send">,
  invocation: Invocation,
): Promise<JobResult> {
  const { store, logger } = deps;
  const id = job.broadcastId;
  const initial = await store.get(id);
  if (!initial) {
    logger.warn("batch of an unknown broadcast dropped", describeJob(job));
    return done;
  }
  if (initial.status === "queued")
    return { kind: "retry", job, delaySeconds: 5, reason: "the broadcast has not started yet" };
  if (initial.status === "done") return done; // every batch was counted

  const watch = new StatusWatch(deps, initial);
  const states = await store.recipients(
    id,
    job.shard,
    job.recipients.map((recipient) => recipient.userId),
  );
  const outcomes = new Map<number, FinalStatus>();
  for (const [userId, state] of states)
    if (isFinalStatus(state.status)) outcomes.set(userId, state.status as FinalStatus);
  /** Recipients someone else holds a live claim on, with the end of that claim's lease. */
  const held = new Map<number, number>();
  const owner = `${invocation.id}/${randomUUID().slice(0, 8)}`;
  let touched = states.size > 0;
  let halted = false;
  let rejected: string | undefined;

  const resolveFromStore = async (userId: number) => {
    const fresh = await store.recipient(id, job.shard, userId);
    if (fresh && isFinalStatus(fresh.status)) outcomes.set(userId, fresh.status as FinalStatus);
    else held.set(userId, fresh?.leaseUntil ?? deps.clock.now().getTime());
  };

  const todo = job.recipients.filter((recipient) => !outcomes.has(recipient.userId));
  if (initial.status === "running" && todo.length > 0) {
    await forEachConcurrent(
      todo,
      deps.rates.inFlightPerWorker,
      async (recipient) => {
        const { userId } = recipient;
        const record = await watch.current();
        if (record.status !== "running" || deps.timer.now() > invocation.deadline) {
          halted = true;
          return;
        }
        const nowMs = deps.clock.now().getTime();
        const known = states.get(userId);
        if (known?.status === "sending" && (known.leaseUntil ?? Number.POSITIVE_INFINITY) >= nowMs) {
          held.set(userId, known.leaseUntil ?? nowMs);
          return;
        }
        if (!(await store.claim(id, job.shard, userId, owner, invocation.leaseUntil(), nowMs))) {
          await resolveFromStore(userId);
          return;
        }
        touched = true;
        await deps.faults?.afterClaim?.(job, userId);
        const outcome = await sendWithRetries(
          () =>
            deps.api.sendMessage(
              recipient.chatId,
              record.request.text,
              broadcastSendOptions(record.request, deps.rates),
            ),
          {
            limiter: deps.limiter,
            timer: deps.timer,
            retry: deps.retry,
            deadline: invocation.deadline,
            ...(deps.random ? { random: deps.random } : {}),
          },
        );
        if (outcome.kind === "unfinished") {
          await store.release(id, job.shard, userId, owner);
          logger.info("send postponed", { ...describeJob(job), userId, detail: outcome.detail });
          halted = true;
          return;
        }
        if (outcome.kind === "blocked") await markUnreachable(deps, userId);
        const status: FinalStatus = outcome.kind === "delivered" ? "delivered" : outcome.kind;
        const detail = outcome.kind === "delivered" ? undefined : outcome.detail;
        const recorded = await withRetries(() => store.finish(id, job.shard, userId, owner, status, detail));
        if (recorded) outcomes.set(userId, status);
        else {
          logger.error("a claim was taken over while its holder was sending; raise the lease", {
            ...describeJob(job),
            userId,
          });
          await resolveFromStore(userId);
        }
        if (outcome.kind === "failed" && outcome.formatting) {
          rejected = outcome.detail;
          halted = true;
        }
        await deps.faults?.afterRecord?.(job, userId);
      },
      () => halted,
    );
  }

  // A batch that ran to its end re-reads the status only if the last read is old; a halted one always does.
  let record = await watch.current(halted);
  if (rejected && record.status === "running") {
    record =
      (await store.transition(id, ["running"], "failed", {
        finishedAt: deps.clock.now().toISOString(),
        error: `Telegram rejected the text: ${rejected}. Fix the formatting and send a new broadcast.`,
      })) ?? (await watch.current(true));
    logger.error("broadcast stopped: Telegram rejects its text", { broadcastId: id, detail: rejected });
  }
  if (record.status === "cancelled" || record.status === "failed") {
    // Nobody touched this batch: leave it alone, its recipients are the broadcast's "remaining".
    if (!touched && outcomes.size === 0) return done;
    for (const { userId } of job.recipients) {
      if (outcomes.has(userId) || held.has(userId)) continue;
      if (await store.cancelRecipient(id, job.shard, userId, deps.clock.now().getTime()))
        outcomes.set(userId, "cancelled");
      else await resolveFromStore(userId);
    }
  }

  const unresolved = job.recipients.filter((recipient) => !outcomes.has(recipient.userId));
  if (unresolved.length > 0) {
    const leases = [...held.values()];
    return leases.length > 0
      ? {
          kind: "retry",
          job,
          delaySeconds: secondsUntil(leases, deps.clock.now().getTime()),
          reason: "recipients held by another delivery",
        }
      : { kind: "retry", job, delaySeconds: 0, reason: "out of time" };
  }

  const counts: BatchCounts = { sent: 0, blocked: 0, failed: 0 };
  for (const status of outcomes.values()) {
    if (status === "delivered") counts.sent += 1;
    else if (status === "blocked") counts.blocked += 1;
    else if (status === "failed") counts.failed += 1;
  }
  const counters = await store.countBatch(id, job.shard, batchKey(job.part, job.batch), counts);
  if (!counters) {
    // Counted already: by another delivery, or by this one when DynamoDB's answer was lost and the client's
    // retry was refused by its own first write. Either way a complete broadcast must still be finished here,
    // since nobody else may be left to do it (finishing twice is harmless: the transition is conditional).
    record = await watch.current(true);
    if (record.status === "running")
      await finishIfComplete(deps, record, await store.shardCounters(id, job.shard));
    return done;
  }
  // Fresh status: if the broadcast was cancelled meanwhile, this count must reach the final numbers shown.
  record = await watch.current(true);
  if (record.status === "running") {
    await finishIfComplete(deps, record, counters);
    await editProgressMessage(deps, record, false);
  } else await editProgressMessage(deps, record, true);
  return done;
}
