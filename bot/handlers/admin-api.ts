/** Lambda entry of the admin HTTP API: the handler bot/runtime/admin-api.ts builds, once per container. */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import { buildAdminApiHandler } from "../runtime/admin-api";
import { lambdaHandler } from "../runtime/services";

/** The Lambda handler. */
export const handler = lambdaHandler(__dirname, buildAdminApiHandler);
