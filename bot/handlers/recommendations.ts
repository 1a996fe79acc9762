/**
 * Lambda entry of the daily recommendations: EventBridge Scheduler fires it every hour (contracts/runtime.ts
 * `defaultRecommendationSchedule`); it queues the subscribers due at that hour of SCHEDULE_TIMEZONE as
 * `tips.send` jobs, which the broadcast worker sends under the shared rate limit (bot/recommendations/daily.ts).
 * The slot comes from the event's `scheduledTime` when the schedule passes `<aws.scheduler.scheduled-time>`,
 * so a late retry still serves the hour it was scheduled for.
 */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import { env as envNames } from "../../contracts/runtime";
import { broadcastRatesFrom, sqsJobQueueFrom } from "../broadcast/environment";
import type { JobQueue } from "../jobs/port";
import type { Clock, UserStore } from "../ports";
import { type DailyPlanSummary, planDailyTips } from "../recommendations/daily";
import { scheduleSlot } from "../recommendations/message";
import { DynamoTipStore } from "../recommendations/store/dynamodb";
import type { TipStore } from "../recommendations/store/port";
import { DynamoUserStore } from "../storage/dynamodb";
import { type Environment, loggerFrom, once, tableFrom } from "./runtime";

/** What the schedule sends: `{ "source": "lambdagram.schedule", "scheduledTime"?: ISO time }`. */
export interface ScheduleEvent {
  source?: string;
  /** The scheduled time (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`). */
  scheduledTime?: string;
  /** EventBridge rule events carry `time`. */
  time?: string;
}

/** Replacements for what the handler would build (the local stack passes its queue; tests a clock). */
export interface RecommendationsOptions {
  jobs?: JobQueue;
  users?: UserStore;
  tips?: TipStore;
  clock?: Clock;
}

/** The recommendations handler: plans the slot of the event (or of now). */
export type RecommendationsHandler = (event?: ScheduleEvent) => Promise<DailyPlanSummary>;

/** Builds the handler from an environment (exported for the local stack and tests). */
export async function buildRecommendationsHandler(
  environment: Environment,
  options: RecommendationsOptions = {},
): Promise<RecommendationsHandler> {
  const logger = loggerFrom(environment, { fn: "recommendations" });
  const clock = options.clock ?? { now: () => new Date() };
  const timeZone = environment[envNames.scheduleTimezone] || "UTC";
  scheduleSlot(clock.now(), timeZone); // a wrong time zone fails the cold start, not 3 a.m.
  const rates = broadcastRatesFrom(environment);
  const table = options.users && options.tips ? undefined : tableFrom(environment);
  const users = options.users ?? (table ? new DynamoUserStore({ ...table, clock }) : undefined);
  const tips = options.tips ?? (table ? new DynamoTipStore({ ...table, clock }) : undefined);
  if (!users || !tips) throw new Error("unreachable: the table is built whenever a store is missing");
  const jobs = options.jobs ?? sqsJobQueueFrom(environment);
  return async (event = {}) => {
    const given = Date.parse(event.scheduledTime ?? event.time ?? "");
    const instant = Number.isNaN(given) ? clock.now() : new Date(given);
    const { date, hour } = scheduleSlot(instant, timeZone);
    const summary = await planDailyTips({ users, tips, jobs, date, hour, batchSize: rates.batchSize });
    logger.info(summary.alreadyPlanned ? "daily tips already queued for this hour" : "daily tips queued", {
      ...summary,
    });
    return summary;
  };
}

const recommendations = once(() => buildRecommendationsHandler(process.env));

/** The Lambda handler. */
export async function handler(event: ScheduleEvent): Promise<DailyPlanSummary> {
  return (await recommendations())(event);
}
