/**
 * Daily recommendations in two steps, so no invocation outlives its timeout however many subscribers are due:
 * 1. {@link planDailyTips} (the scheduled handler) pages the subscribers due at the slot's hour into
 *    `tips.send` jobs on the broadcast queue;
 * 2. {@link sendTipBatch} (the broadcast worker, under the same rate limit as broadcasts) sends each one its tip.
 * One tip per user and day: the `TIP#<date>` item is claimed with a conditional write before the send and the
 * outcome recorded after it, so a schedule that fires twice or a re-delivered batch sends nothing twice.
 */
import { randomUUID } from "node:crypto";
import {
  done,
  forEachConcurrent,
  type Invocation,
  type JobResult,
  markUnreachable,
  secondsUntil,
  type WorkerDeps,
  withRetries,
} from "../broadcast/delivery";
import type { JobQueue } from "../broadcast/job-queue";
import type { JobOf } from "../broadcast/jobs";
import { sendWithRetries } from "../broadcast/send";
import type { UserProfile, UserStore } from "../ports";
import { tipMessage } from "./message";
import { pickTip } from "./picker";
import type { TipDayStatus, TipStore } from "./store";

/** What one schedule run did. */
export interface DailyPlanSummary {
  date: string;
  hour: number;
  /** True when an earlier run already queued this slot completely (a duplicate schedule event). */
  alreadyPlanned: boolean;
  /** Subscribers found due. */
  due: number;
  /** `tips.send` jobs queued. */
  batches: number;
}

/**
 * Queues every subscriber due at `hour` (tip hour in the schedule's time zone) for `date`, in batches.
 * A slot fully queued before is skipped; an interrupted run queued part of it and is simply run again (the
 * per-user claim drops the duplicates).
 */
export async function planDailyTips(deps: {
  users: UserStore;
  tips: TipStore;
  jobs: JobQueue;
  date: string;
  hour: number;
  batchSize: number;
  pageSize?: number;
  /**
   * Queue the slot again even if it was queued before (an operator's "serve now"): users who subscribed or
   * moved their hour since then are served, and the per-user day claim still sends nobody a second tip.
   */
  replan?: boolean;
}): Promise<DailyPlanSummary> {
  const { date, hour } = deps;
  if (!deps.replan && (await deps.tips.isPlanned(date, hour)))
    return { date, hour, alreadyPlanned: true, due: 0, batches: 0 };
  let cursor: string | undefined;
  let due = 0;
  let batches = 0;
  do {
    const page = await deps.users.listSubscribersDue(hour, {
      limit: deps.pageSize ?? 500,
      ...(cursor ? { cursor } : {}),
    });
    const userIds = page.items.map((user) => user.userId);
    const jobs: JobOf<"tips.send">[] = [];
    for (let start = 0; start < userIds.length; start += deps.batchSize)
      jobs.push({ type: "tips.send", date, hour, userIds: userIds.slice(start, start + deps.batchSize) });
    if (jobs.length > 0) await deps.jobs.send(jobs);
    due += userIds.length;
    batches += jobs.length;
    cursor = page.cursor;
  } while (cursor);
  await deps.tips.markPlanned(date, hour);
  return { date, hour, alreadyPlanned: false, due, batches };
}

/** Still wants today's tip: subscribed, reachable, and still due at this hour (a changed hour moves the tip). */
function stillDue(profile: UserProfile | undefined, hour: number): profile is UserProfile {
  return Boolean(profile?.subscribed && !profile.blocked && profile.tipHour === hour);
}

/**
 * Sends today's tip to each user of the job who is still due and has not got it today. Users whose claim is
 * held by another delivery, or who could not be tried before the deadline, are re-queued in a smaller job.
 */
export async function sendTipBatch(
  deps: WorkerDeps,
  job: JobOf<"tips.send">,
  invocation: Invocation,
): Promise<JobResult> {
  const owner = `${invocation.id}/${randomUUID().slice(0, 8)}`;
  const unresolved: number[] = [];
  const leases: number[] = [];
  let outOfTime = false;
  await forEachConcurrent(job.userIds, deps.rates.inFlightPerWorker, async (userId) => {
    if (outOfTime || deps.timer.now() > invocation.deadline) {
      outOfTime = true;
      unresolved.push(userId);
      return;
    }
    const profile = await deps.users.get(userId);
    if (!stillDue(profile, job.hour)) return;
    const nowMs = deps.clock.now().getTime();
    if (!(await deps.tips.claimDay(userId, job.date, owner, invocation.leaseUntil(), nowMs))) {
      const day = await deps.tips.day(userId, job.date);
      if (day?.status === "sending" || day?.status === "released") {
        unresolved.push(userId);
        leases.push(day.leaseUntil ?? nowMs);
      }
      return;
    }
    await deps.faults?.afterClaim?.(job, userId);
    const tip = pickTip(deps.content.recommendations, profile, await deps.tips.history(userId), {
      levels: deps.content.settings.levels,
    });
    if (!tip) {
      await deps.tips.finishDay(userId, job.date, owner, "skipped");
      return;
    }
    const { text, keyboard } = tipMessage(deps.content, tip, profile.language);
    const outcome = await sendWithRetries(
      () =>
        deps.api.sendMessage(profile.chatId, text, {
          reply_markup: keyboard,
          ...(deps.rates.allowPaidBroadcast ? { allow_paid_broadcast: true } : {}),
        }),
      {
        limiter: deps.limiter,
        timer: deps.timer,
        retry: deps.retry,
        deadline: invocation.deadline,
        ...(deps.random ? { random: deps.random } : {}),
      },
    );
    if (outcome.kind === "unfinished") {
      await deps.tips.releaseDay(userId, job.date, owner);
      outOfTime = true;
      unresolved.push(userId);
      return;
    }
    if (outcome.kind === "blocked") await markUnreachable(deps, userId);
    const status: Exclude<TipDayStatus, "sending" | "released"> =
      outcome.kind === "delivered" ? "delivered" : outcome.kind;
    if (!(await withRetries(() => deps.tips.finishDay(userId, job.date, owner, status, tip.id))))
      deps.logger.error("a tip claim was taken over while its holder was sending; raise the lease", {
        userId,
        date: job.date,
      });
    await deps.faults?.afterRecord?.(job, userId);
  });
  if (unresolved.length === 0) return done;
  return {
    kind: "retry",
    job: { ...job, userIds: unresolved },
    delaySeconds: leases.length > 0 ? secondsUntil(leases, deps.clock.now().getTime()) : 0,
    reason: leases.length > 0 ? "tips held by another delivery" : "out of time",
  };
}
