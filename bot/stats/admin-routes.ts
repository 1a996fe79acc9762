/**
 * `GET /admin/stats` (bot/admin-api/router.ts checks the token first): 200 with the {@link BotStats} JSON that
 * /stats shows (its shape is documented in bot/stats/summary.ts), or 503 when CloudWatch cannot be read. For
 * the operator view's charts; the figures are read fresh on every call (one GetMetricData and 40 COUNT Queries).
 */
import { json, problem } from "../admin-api/http";
import type { AdminRoutes } from "../admin-api/router";
import type { Clock, Logger } from "../ports";
import { collectStats, type StatsSources } from "./collect";
import { MetricsUnavailableError } from "./port";
import type { BotStats } from "./summary";

export type { BotStats } from "./summary";

/** The stats route group. */
export function statsAdminRoutes(deps: {
  /** Where the stats are read; resolved on the first request (a function without it never builds the clients). */
  stats: () => StatsSources;
  clock: Clock;
  logger: Logger;
  /** The content's intent ids (the candidates of `topIntents`), resolved on the first request. */
  intents: () => readonly string[];
}): AdminRoutes {
  return {
    routes: {
      "GET /admin/stats": async () => {
        const stats: BotStats = await collectStats(deps.stats(), deps.clock, deps.intents());
        return json(200, stats);
      },
    },
    answerError: (error) => {
      if (!(error instanceof MetricsUnavailableError)) return undefined;
      deps.logger.error("admin API: metrics unavailable", { error: error.message });
      return problem(503, error.message);
    },
  };
}
