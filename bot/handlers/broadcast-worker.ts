/** Lambda entry of the broadcast worker (SQS): the consumer bot/runtime/broadcast-worker.ts builds, once per container. */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import { buildBroadcastWorkerHandler } from "../runtime/broadcast-worker";
import { lambdaHandler } from "../runtime/services";

/** The Lambda handler. */
export const handler = lambdaHandler(__dirname, (services) => buildBroadcastWorkerHandler(services));
