/**
 * The messages on the broadcast queue. Every one is small, self-describing JSON and safe to process twice:
 * - `broadcast.start`: a broadcast was recorded; mark it running, post the admin's progress message, fan out
 *   one `broadcast.plan` per audience shard;
 * - `broadcast.plan`: page one audience shard from `part` on into recipient batches (and continue itself when
 *   the invocation's time runs low);
 * - `broadcast.send`: send one batch of recipients;
 * - `broadcast.finish`: a cancelled broadcast settled: post the final numbers to the admin;
 * - `tips.send`: send today's tip to a batch of subscribers (the daily schedule plans these).
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.cjs";
import { audienceShards } from "../../contracts/table";

// zod/mini, not zod: the same checks at a third of the worker bundle (docs/benchmarks.md); the English
// messages are loaded explicitly because mini ships none and poison messages should say what is wrong.
z.config(en());

/** A recipient of a broadcast batch. */
export interface Recipient {
  userId: number;
  chatId: number;
}

const id = z.string().check(z.minLength(1), z.maxLength(64));
const shard = z.int().check(z.minimum(0), z.maximum(audienceShards - 1));
const part = z.int().check(z.minimum(0));
const recipient = z.strictObject({ userId: z.int(), chatId: z.int() });

/** Schema of every job; anything else on the queue is rejected as poison. */
export const jobSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("broadcast.start"), broadcastId: id }),
  z.strictObject({ type: z.literal("broadcast.finish"), broadcastId: id }),
  z.strictObject({
    type: z.literal("broadcast.plan"),
    broadcastId: id,
    shard,
    part,
    cursor: z.optional(z.string()),
  }),
  z.strictObject({
    type: z.literal("broadcast.send"),
    broadcastId: id,
    shard,
    part,
    batch: z.int().check(z.minimum(0)),
    recipients: z.array(recipient).check(z.minLength(1), z.maxLength(1000)),
  }),
  z.strictObject({
    type: z.literal("tips.send"),
    /** The schedule's day (YYYY-MM-DD in SCHEDULE_TIMEZONE): one tip per user and date. */
    date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
    hour: z.int().check(z.minimum(0), z.maximum(23)),
    userIds: z.array(z.int()).check(z.minLength(1), z.maxLength(1000)),
  }),
]);

/** One job on the broadcast queue. */
export type Job = z.infer<typeof jobSchema>;
/** A job of one type. */
export type JobOf<T extends Job["type"]> = Extract<Job, { type: T }>;

/** Thrown for a queue message that is not a job; it stays on the queue until the dead-letter queue takes it. */
export class InvalidJobError extends Error {
  constructor(reason: string) {
    super(
      `Queue message is not a broadcast job (${reason}). Only bot/broadcast code should send to this queue; ` +
        "inspect the message in the dead-letter queue.",
    );
    this.name = "InvalidJobError";
  }
}

/** Parses a queue message body into a job. */
export function parseJob(body: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidJobError("the body is not JSON");
  }
  const parsed = jobSchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidJobError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "job"}: ${issue.message}`).join("; "),
    );
  return parsed.data;
}

/** A short description of a job for logs (ids and counts, never texts). */
export function describeJob(job: Job): Record<string, unknown> {
  switch (job.type) {
    case "broadcast.start":
    case "broadcast.finish":
      return { job: job.type, broadcastId: job.broadcastId };
    case "broadcast.plan":
      return { job: job.type, broadcastId: job.broadcastId, shard: job.shard, part: job.part };
    case "broadcast.send":
      return {
        job: job.type,
        broadcastId: job.broadcastId,
        shard: job.shard,
        batch: `${job.part}.${job.batch}`,
        recipients: job.recipients.length,
      };
    case "tips.send":
      return { job: job.type, date: job.date, hour: job.hour, recipients: job.userIds.length };
  }
}
