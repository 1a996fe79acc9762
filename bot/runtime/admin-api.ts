/**
 * Builds the admin HTTP API (`POST /admin/broadcasts`, `GET /admin/broadcasts/{id}`,
 * `POST /admin/broadcasts/{id}/cancel`; see bot/broadcast/admin-http.ts) from the composition root: the admin
 * token (SSM on AWS), the job store on the table, the job queue. bot/handlers/admin-api.ts runs it once.
 */
import { env as envNames } from "../../contracts/runtime";
import { type AdminHttpHandler, createAdminApi } from "../broadcast/admin-http";
import { BroadcastService } from "../broadcast/service";
import type { Services } from "./services";

/** Builds the admin API handler (the Lambda entry, the local stack and tests call it). */
export async function buildAdminApiHandler(services: Services): Promise<AdminHttpHandler> {
  const logger = services.logger("adminApi");
  const [adminToken] = (await services.secrets([
    { plain: envNames.adminApiToken, parameter: envNames.adminTokenParameter },
  ])) as [string];
  const broadcasts = new BroadcastService({
    // The admin API's role may not Query the table: counters are read with GetItem.
    store: services.broadcasts({ queryCounters: false }),
    jobs: services.jobs,
    clock: services.clock,
    rates: services.rates,
  });
  return createAdminApi({ broadcasts, adminToken, logger });
}
