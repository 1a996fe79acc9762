/** Lambda entry of `POST /telegram/webhook`: the handler bot/runtime/webhook.ts builds, once per container. */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import { lambdaHandler } from "../runtime/services";
import { buildWebhookHandler } from "../runtime/webhook";

/** The Lambda handler. */
export const handler = lambdaHandler(__dirname, buildWebhookHandler);
