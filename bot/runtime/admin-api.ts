/**
 * Builds the admin HTTP API from the composition root: the admin token (SSM on AWS) in front of every feature's
 * route group (bot/admin-api/router.ts). Broadcasts: the job store on the table and the job queue
 * (bot/broadcast/admin-routes.ts); stats: CloudWatch and the table's counts (bot/stats/admin-routes.ts).
 * Questionnaires: results and exports from the content and the `responses` index
 * (bot/questionnaire-results/admin-routes.ts). Inbox: the inbox store on the table, labels checked against the
 * bundled content's intent ids (bot/inbox/admin-routes.ts). bot/handlers/admin-api.ts runs it once per container.
 */
import { env as envNames } from "../../contracts/runtime";
import type { AdminHttpHandler } from "../admin-api/http";
import { createAdminRouter } from "../admin-api/router";
import { broadcastAdminRoutes } from "../broadcast/admin-routes";
import { BroadcastService } from "../broadcast/service";
import { inboxAdminRoutes } from "../inbox/admin-routes";
import { questionnaireResultsAdminRoutes } from "../questionnaire-results/admin-routes";
import { statsAdminRoutes } from "../stats/admin-routes";
import type { Services } from "./services";

/** Builds the admin API handler (the Lambda entry, the local stack and tests call it). */
export async function buildAdminApiHandler(services: Services): Promise<AdminHttpHandler> {
  const logger = services.logger("adminApi");
  const [adminToken] = (await services.secrets([
    { plain: envNames.adminApiToken, parameter: envNames.adminTokenParameter },
  ])) as [string];
  const broadcasts = new BroadcastService({
    // The admin API's role may Query the table (the inbox lists with it): the 16 counters in one request.
    store: services.broadcasts({ queryCounters: true }),
    jobs: services.jobs,
    clock: services.clock,
    rates: services.rates,
    metrics: services.metrics(logger),
  });
  return createAdminRouter({
    adminToken,
    logger,
    groups: [
      broadcastAdminRoutes({ broadcasts, logger }),
      statsAdminRoutes({
        stats: () => services.stats,
        clock: services.clock,
        logger,
        intents: () => services.content.intents.map((intent) => intent.id),
      }),
      // Read on first use: the broadcast routes need neither the content nor the table's answers.
      questionnaireResultsAdminRoutes({
        content: () => services.content,
        answers: () => services.answers,
        clock: services.clock,
        logger,
      }),
      inboxAdminRoutes({
        inbox: () => services.inbox,
        // The content pack is read on the first label only (listing needs none).
        intentIds: () => new Set(services.content.intents.map((intent) => intent.id)),
        logger,
        now: () => services.clock.now(),
      }),
    ],
  });
}
