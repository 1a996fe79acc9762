/**
 * Builds the daily recommendations handler from the composition root: EventBridge Scheduler fires it every
 * hour (contracts/runtime.ts `defaultRecommendationSchedule`); it queues the subscribers due at that hour of
 * SCHEDULE_TIMEZONE as `tips.send` jobs, which the broadcast worker sends under the shared rate limit
 * (bot/recommendations/daily.ts). The slot comes from the event's `scheduledTime` when the schedule passes
 * `<aws.scheduler.scheduled-time>`, so a late retry still serves the hour it was scheduled for.
 */
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

/** The recommendations handler: plans the slot of the event (or of now). */
export type RecommendationsHandler = (event?: ScheduleEvent) => Promise<DailyPlanSummary>;

/** Builds the recommendations handler (the Lambda entry, the local stack and tests call it). */
export async function buildRecommendationsHandler(services: Services): Promise<RecommendationsHandler> {
  const { clock } = services;
  const logger = services.logger("recommendations");
  const timeZone = services.config.timeZone ?? "UTC";
  scheduleSlot(clock.now(), timeZone); // a wrong time zone fails the cold start, not 3 a.m.
  const { users, tips, jobs } = services;
  const batchSize = services.rates.batchSize;
  return async (event = {}) => {
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
    return summary;
  };
}
