/**
 * Daily recommendations in two steps, so no invocation outlives its timeout however many subscribers are due:
 * 1. {@link planDailyTips} (the scheduled handler) pages the subscribers due at the slot's hour into
 *    `tips.send` jobs on the broadcast queue;
 * 2. {@link sendTipBatch} (the broadcast worker, under the same rate limit as broadcasts) sends each one its tip.
 * One tip per user and day: the `TIP#<date>` item is claimed with a conditional write before the send and the
 * outcome recorded after it, so a schedule that fires twice or a re-delivered batch sends nothing twice.
 */
import { type ClaimedDelivery, deliverClaimed, type Prepared } from "../broadcast/deliver-claimed";
import { done, type Invocation, type JobResult, secondsUntil, type WorkerDeps } from "../broadcast/delivery";
import type { JobOf } from "../broadcast/jobs";
import type { JobQueue } from "../jobs/port";
import type { UserProfile, UserStore } from "../storage/port";
import { tipMessage } from "./message";
import { pickTip } from "./picker";
import type { TipDayKey, TipOutcomeStatus, TipStore } from "./store/port";

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
  if (!deps.replan && (await deps.tips.isPlanned({ date, hour })))
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
  await deps.tips.markPlanned({ date, hour });
  return { date, hour, alreadyPlanned: false, due, batches };
}

/** Still wants today's tip: subscribed, reachable, and still due at this hour (a changed hour moves the tip). */
function stillDue(profile: UserProfile | undefined, hour: number): profile is UserProfile {
  return Boolean(profile?.subscribed && !profile.blocked && profile.tipHour === hour);
}

/** One run of a `tips.send` job: the users to try again later, and the leases that hold them. */
class TipDelivery implements ClaimedDelivery<number, TipDayKey, TipOutcomeStatus> {
  readonly unresolved: number[] = [];
  readonly leases: number[] = [];
  /** Users the loop reached (the rest were left when it halted). */
  readonly reached = new Set<number>();
  private readonly profiles = new Map<number, UserProfile>();

  constructor(
    private readonly deps: WorkerDeps,
    readonly job: JobOf<"tips.send">,
    private readonly deadline: number,
  ) {}

  get claims() {
    return this.deps.tips;
  }

  key(userId: number): TipDayKey {
    return { userId, date: this.job.date };
  }

  userId(userId: number): number {
    return userId;
  }

  async before(userId: number): Promise<"claim" | "skip" | "stop"> {
    this.reached.add(userId);
    if (this.deps.timer.now() > this.deadline) {
      this.unresolved.push(userId);
      return "stop";
    }
    const profile = await this.deps.users.get(userId);
    if (!stillDue(profile, this.job.hour)) return "skip";
    this.profiles.set(userId, profile);
    return "claim";
  }

  async refused(userId: number, nowMs: number): Promise<void> {
    const day = await this.deps.tips.state(this.key(userId));
    if (day?.status === "sending" || day?.status === "released") {
      this.unresolved.push(userId);
      this.leases.push(day.leaseUntil ?? nowMs);
    }
  }

  async prepare(userId: number): Promise<Prepared<TipOutcomeStatus>> {
    const profile = this.profiles.get(userId) as UserProfile;
    const { content, tips, rates } = this.deps;
    const tip = pickTip(content.recommendations, profile, await tips.history(userId), {
      levels: content.settings.levels,
    });
    if (!tip) return { status: "skipped" };
    const { text, keyboard } = tipMessage(content, tip, profile.language);
    return {
      send: () =>
        this.deps.api.sendMessage(profile.chatId, text, {
          reply_markup: keyboard,
          ...(rates.allowPaidBroadcast ? { allow_paid_broadcast: true } : {}),
        }),
      fields: () => ({ tipId: tip.id }),
    };
  }

  async recorded(): Promise<void> {}

  postponed(userId: number): void {
    this.unresolved.push(userId);
  }
}

/**
 * Sends today's tip to each user of the job who is still due and has not got it today, through the shared
 * claim -> send -> record loop. Users whose claim is held by another delivery, or who could not be tried
 * before the deadline, are re-queued in a smaller job.
 */
export async function sendTipBatch(
  deps: WorkerDeps,
  job: JobOf<"tips.send">,
  invocation: Invocation,
): Promise<JobResult> {
  const delivery = new TipDelivery(deps, job, invocation.deadline);
  await deliverClaimed(deps, invocation, job.userIds, delivery);
  const retried = new Set(delivery.unresolved);
  const unresolved = job.userIds.filter((userId) => retried.has(userId) || !delivery.reached.has(userId));
  if (unresolved.length === 0) return done;
  const { leases } = delivery;
  return {
    kind: "retry",
    job: { ...job, userIds: unresolved },
    delaySeconds: leases.length > 0 ? secondsUntil(leases, deps.clock.now().getTime()) : 0,
    reason: leases.length > 0 ? "tips held by another delivery" : "out of time",
  };
}
