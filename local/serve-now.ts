/**
 * The local "fire now" of the recommendations schedule (`POST /_local/schedules/recommendations`). The hourly
 * schedule serves each hour once; run by hand, it serves everyone whose tip hour has come today (in the
 * schedule's time zone) and who has not had today's tip, so a user who subscribed after their hour was served
 * still gets one, and the answer says who is served and who waits. The worker's per-user day claim keeps it
 * at exactly one tip per user per day, however often this is fired.
 */

import type { DailyPlanSummary } from "../bot/recommendations/daily";
import { scheduleSlot } from "../bot/recommendations/message";
import type { RecommendationsHandler } from "../bot/runtime/recommendations";

/** What a local "fire now" did. */
export interface ServeNowSummary {
  date: string;
  timeZone: string;
  /** The hours served, 0 to the current hour. */
  hours: number[];
  /** Subscribers found due at those hours (including any who had today's tip: they get no second one). */
  due: number;
  batches: number;
  note: string;
}

/** Plans every hour of today up to now again; the worker sends to those still without today's tip. */
export async function serveDueTipsNow(
  recommendations: RecommendationsHandler,
  timeZone: string,
  now: Date = new Date(),
): Promise<ServeNowSummary> {
  const today = scheduleSlot(now, timeZone);
  const summaries: DailyPlanSummary[] = [];
  for (let back = today.hour; back >= 0; back -= 1) {
    const instant = new Date(now.getTime() - back * 3_600_000);
    const slot = scheduleSlot(instant, timeZone);
    if (slot.date !== today.date || summaries.some((s) => s.hour === slot.hour)) continue; // DST edges
    summaries.push(
      await recommendations({
        source: "lambdagram.local",
        scheduledTime: instant.toISOString(),
        replan: true,
      }),
    );
  }
  const due = summaries.reduce((sum, s) => sum + s.due, 0);
  return {
    date: today.date,
    timeZone,
    hours: summaries.map((s) => s.hour),
    due,
    batches: summaries.reduce((sum, s) => sum + s.batches, 0),
    note:
      `Served subscribers whose tip hour (0:00 to ${today.hour}:00 ${timeZone}) has come today and who have not ` +
      `had today's tip; each gets at most one tip a day. Subscribers with a later tip hour get theirs at that hour.`,
  };
}
