/**
 * The admin API: one bearer token in front of every route, then the route's handler by API Gateway route key
 * (`GET /admin/inbox`, `POST /admin/broadcasts`, ...; the keys are listed in contracts/runtime.ts). Each feature
 * contributes an {@link AdminRoutes} group; errors a group knows are answered by its `answerError`, a bad
 * request by 400, and anything else is rethrown (Lambda logs it and API Gateway answers 500).
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Logger } from "../ports";
import { StorageError } from "../storage/port";
import {
  type AdminHttpHandler,
  type AdminHttpResult,
  bearer,
  InvalidAdminRequestError,
  problem,
  tokenMatches,
} from "./http";

/** Serves one route: the event and its path parameters. */
export type AdminRouteHandler = (
  event: APIGatewayProxyEventV2,
  params: Record<string, string>,
) => Promise<AdminHttpResult>;

/** The routes of one feature, and how it answers the errors it knows (undefined: not one of mine). */
export interface AdminRoutes {
  /** Route key (`METHOD /path/{param}`, as in contracts/runtime.ts) → handler. */
  routes: Record<string, AdminRouteHandler>;
  answerError?: (error: unknown) => AdminHttpResult | undefined;
}

/** Builds the admin API over the configured token and the feature route groups. */
export function createAdminRouter(deps: {
  adminToken: string;
  logger: Logger;
  groups: AdminRoutes[];
}): AdminHttpHandler {
  const table = new Map<string, { handle: AdminRouteHandler; group: AdminRoutes }>();
  for (const group of deps.groups)
    for (const [routeKey, handle] of Object.entries(group.routes)) table.set(routeKey, { handle, group });
  return async (event) => {
    const presented = bearer(event);
    if (!presented || !tokenMatches(presented, deps.adminToken))
      return problem(401, "Missing or wrong admin token; send Authorization: Bearer <ADMIN_API_TOKEN>.");
    const route = table.get(event.routeKey);
    if (!route) return problem(404, `No admin route ${event.routeKey}.`);
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(event.pathParameters ?? {}))
      if (value !== undefined) params[name] = value;
    try {
      return await route.handle(event, params);
    } catch (error) {
      const answered = route.group.answerError?.(error);
      if (answered) return answered;
      if (error instanceof InvalidAdminRequestError) return problem(400, error.message, error.field);
      if (error instanceof StorageError) {
        deps.logger.error("admin API: storage unavailable", { route: event.routeKey, error: error.message });
        return problem(503, "The table is unavailable right now; retry in a moment.");
      }
      throw error;
    }
  };
}
