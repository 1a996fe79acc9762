/**
 * Builds the daily recommendations handler from the composition root: EventBridge Scheduler fires it every
 * hour (contracts/runtime.ts `defaultRecommendationSchedule`); it queues the subscribers due at that hour of
 * SCHEDULE_TIMEZONE as `tips.send` jobs, which the broadcast worker sends under the shared rate limit
 * (bot/recommendations/daily.ts). The slot comes from the event's `scheduledTime` when the schedule passes
 * `<aws.scheduler.scheduled-time>`, so a late retry still serves the hour it was scheduled for.
 * The same run then forgets the users blocked longer than `forgetBlockedAfterDays` (bot/privacy/sweep.ts),
 * except a manual replan (`replan: true`, the local "serve now", which replans many hours at once).
 */
import { timeouts } from "../../contracts/runtime";
import { type BlockedSweepSummary, forgetBlockedUsers } from "../privacy/sweep";
import { type DailyPlanSummary, planDailyTips } from "../recommendations/daily";
import { scheduleSlot } from "../recommendations/message";
import type { Services } from "./services";

/** What the schedule sends: `{ "source": "lambdagram.schedule", "scheduledTime"?: ISO time }`. */
export interface ScheduleEvent {
  source?: string;
  /** The scheduled time (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`). */
  scheduledTime?: string;
  /** EventBridge rule events carry `time`. */
  time?: string;
  /** Queue the slot again even if it was queued before (a manual "serve now"; tips stay one per user and day). */
  replan?: boolean;
}

/** What one run did: the tips planned, and the blocked-user sweep (undefined when it failed: see the log). */
export type RecommendationsSummary = DailyPlanSummary & { blockedSweep?: BlockedSweepSummary };

/** The recommendations handler: plans the slot of the event (or of now), then sweeps blocked users. */
export type RecommendationsHandler = (event?: ScheduleEvent) => Promise<RecommendationsSummary>;

/** Time left for the Lambda after the sweep's deadline, to return and log. */
const sweepMarginMs = 60_000;

/** Builds the recommendations handler (the Lambda entry, the local stack and tests call it). */
export async function buildRecommendationsHandler(services: Services): Promise<RecommendationsHandler> {
  const { clock } = services;
  const logger = services.logger("recommendations");
  const timeZone = services.config.timeZone ?? "UTC";
  scheduleSlot(clock.now(), timeZone); // a wrong time zone fails the cold start, not 3 a.m.
  const { users, tips, jobs } = services;
  const batchSize = services.rates.batchSize;
  const eraser = services.eraser(logger);
  const { forgetBlockedAfterDays } = services.config;
  return async (event = {}) => {
    const started = clock.now().getTime();
    const given = Date.parse(event.scheduledTime ?? event.time ?? "");
    const instant = Number.isNaN(given) ? clock.now() : new Date(given);
    const { date, hour } = scheduleSlot(instant, timeZone);
    const summary = await planDailyTips({
      users,
      tips,
      jobs,
      date,
      hour,
      batchSize,
      replan: event.replan === true,
    });
    logger.info(summary.alreadyPlanned ? "daily tips already queued for this hour" : "daily tips queued", {
      ...summary,
    });
    // A manual "serve now" replans many hours at once; the hourly events sweep, once an hour is plenty.
    if (event.replan === true) return summary;
    try {
      const blockedSweep = await forgetBlockedUsers({
        users,
        chats: services.storage.chats,
        eraser,
        clock,
        logger,
        forgetAfterDays: forgetBlockedAfterDays,
        deadline: started + timeouts.recommendationsLambdaSeconds * 1000 - sweepMarginMs,
      });
      if (blockedSweep.forgotten + blockedSweep.unblocked > 0 || blockedSweep.stoppedEarly)
        logger.info("blocked users swept", { ...blockedSweep, days: blockedSweep.days.length });
      return { ...summary, blockedSweep };
    } catch (error) {
      // The tips are queued; the next hourly run sweeps again (every step of the sweep is idempotent).
      logger.error("blocked-user sweep failed; the next run retries it", { error: (error as Error).message });
      return summary;
    }
  };
}
