/** Lambda entry of the hourly tips schedule: the handler bot/runtime/recommendations.ts builds, once per container. */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import { buildRecommendationsHandler } from "../runtime/recommendations";
import { lambdaHandler } from "../runtime/services";

/** The Lambda handler. */
export const handler = lambdaHandler(__dirname, buildRecommendationsHandler);
