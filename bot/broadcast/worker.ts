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
import { audienceShards } from "../../contracts/table";
import type { InvocationContext, QueueConsumer } from "../jobs/port";
import { sendTipBatch } from "../recommendations/daily";
import { done, forEachConcurrent, type Invocation, type JobResult, type WorkerDeps } from "./delivery";
import { describeJob, type Job, type JobOf, parseJob } from "./jobs";
import { editProgressMessage, finishIfComplete, postProgressMessage } from "./progress-message";
import { sendBatch } from "./send-batch";
import { finishedStatuses } from "./store/port";
import { inAudience } from "./validation";

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
    const planKey = { broadcastId: id, shard: job.shard, part };
    let plan = (counters.plannedPart ?? -1) >= part ? await store.getPlan(planKey) : undefined;
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
      const recorded = await store.recordPlanned({
        ...planKey,
        recipients: plan.recipients.length,
        complete: !plan.nextCursor,
      });
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
