/**
 * Reads the stats: the metric sums and the table's counts in parallel, then the pure {@link summarize}. Used by
 * /stats in Telegram (bot/stats/telegram.ts) and `GET /admin/stats` (bot/stats/admin-routes.ts).
 */
import type { Clock } from "../ports";
import { dayNumber } from "./days";
import type { AudienceCounter, MetricsReader } from "./port";
import { type BotStats, statsQueries, summarize } from "./summary";

/** Where the stats come from. */
export interface StatsSources {
  metrics: MetricsReader;
  audience: AudienceCounter;
}

/** The stats of today (the clock's UTC day) over the content's intents. */
export async function collectStats(
  sources: StatsSources,
  clock: Clock,
  intents: readonly string[],
): Promise<BotStats> {
  const now = clock.now();
  const plan = statsQueries(dayNumber(now), intents);
  const [series, counts] = await Promise.all([
    sources.metrics.dailySums(plan.queries, plan.range),
    sources.audience.count(),
  ]);
  return summarize(plan, series, counts, now);
}
