/**
 * Lambda entry for the admin HTTP API (`POST /admin/broadcasts`, `GET /admin/broadcasts/{id}`,
 * `POST /admin/broadcasts/{id}/cancel`; see bot/broadcast/admin-http.ts). Built once per execution
 * environment: the admin token from SSM, the job store on the table, the SQS queue.
 */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { env as envNames } from "../../contracts/runtime";
import { type AdminHttpHandler, createAdminApi } from "../broadcast/admin-http";
import { broadcastRatesFrom, sqsJobQueueFrom } from "../broadcast/environment";
import { BroadcastService } from "../broadcast/service";
import { DynamoBroadcastStore } from "../broadcast/store/dynamodb";
import type { BroadcastStore } from "../broadcast/store/port";
import type { JobQueue } from "../jobs/port";
import type { Clock } from "../ports";
import { type Environment, loggerFrom, once, readSecret, tableFrom } from "./runtime";

/** Replacements for what the handler would build from the environment (the local stack passes its queue). */
export interface AdminApiOptions {
  jobs?: JobQueue;
  store?: BroadcastStore;
  clock?: Clock;
}

/** Builds the admin API handler from an environment (exported for the local stack and tests). */
export async function buildAdminApiHandler(
  environment: Environment,
  options: AdminApiOptions = {},
): Promise<AdminHttpHandler> {
  const logger = loggerFrom(environment, { fn: "adminApi" });
  const adminToken = await readSecret(environment, envNames.adminApiToken, envNames.adminTokenParameter);
  const clock = options.clock ?? { now: () => new Date() };
  const store =
    options.store ??
    (() => {
      const table = tableFrom(environment);
      return new DynamoBroadcastStore({ ...table, clock });
    })();
  const broadcasts = new BroadcastService({
    store,
    jobs: options.jobs ?? sqsJobQueueFrom(environment),
    clock,
    rates: broadcastRatesFrom(environment),
  });
  return createAdminApi({ broadcasts, adminToken, logger });
}

const adminApi = once(() => buildAdminApiHandler(process.env));

/** The Lambda handler. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await adminApi())(event);
}
