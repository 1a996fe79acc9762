/**
 * Lambda entry for `POST /telegram/webhook`. Builds the bot once per execution environment (secrets from
 * SSM, content and model bundled next to this file) and hands each API Gateway event to the webhook core.
 */
// First: maps stack traces of everything loaded after it.
import "./source-maps";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Content } from "../../content/schema";
import { env as envNames, timeouts } from "../../contracts/runtime";
import { RuleClassifier } from "../../nlp/rules";
import type { IntentClassifier } from "../../nlp/types";
import { DynamoBroadcastQueue } from "../broadcast/dynamodb-queue";
import { broadcastRatesFrom, sqsJobQueueFrom } from "../broadcast/environment";
import { createBot } from "../create-bot";
import type { JobQueue } from "../jobs/port";
import { createMetrics } from "../observability/metrics";
import { DynamoTipStore } from "../recommendations/store/dynamodb";
import { createWebhookHandler, type WebhookHandler } from "../webhook";
import { loadNlpClassifier } from "./nlp";
import {
  botConfigFrom,
  botInfoFrom,
  type Environment,
  loadBundledContent,
  loadBundledRules,
  loggerFrom,
  once,
  readSecrets,
  storageFrom,
  tableFrom,
} from "./runtime";

/** What a local runner may hand over instead of the files bundled next to the handler and SQS. */
export interface HandlerOverrides {
  content?: Content;
  nlp?: IntentClassifier;
  /** The broadcast job queue (the local stack's in-process queue); SQS at BROADCAST_QUEUE_URL otherwise. */
  jobs?: JobQueue;
}

/** Builds the webhook handler from an environment (exported for the local stack and tests). */
export async function buildWebhookHandler(
  environment: Environment,
  directory = __dirname,
  overrides: HandlerOverrides = {},
): Promise<WebhookHandler> {
  const logger = loggerFrom(environment, { fn: "webhook" });
  // Metrics go to CloudWatch through the function's log stream; locally they would only clutter the output.
  const metrics = environment.AWS_LAMBDA_FUNCTION_NAME ? createMetrics({ logger }) : undefined;
  const [token, secretToken] = (await readSecrets(environment, [
    { plain: envNames.botToken, parameter: envNames.botTokenParameter },
    { plain: envNames.webhookSecret, parameter: envNames.webhookSecretParameter },
  ])) as [string, string];
  const content = overrides.content ?? loadBundledContent(directory);
  const table = tableFrom(environment);
  const config = botConfigFrom(environment);
  const clock = { now: () => new Date() };
  const bot = createBot(
    {
      content,
      storage: storageFrom(table),
      classifiers: {
        rules: overrides.content ? new RuleClassifier(content.intents) : loadBundledRules(directory),
        nlp: overrides.nlp ?? loadNlpClassifier(directory, logger, { lazy: config.defaultMode !== "nlp" }),
      },
      broadcasts: new DynamoBroadcastQueue(
        table.client,
        table.tableName,
        clock,
        overrides.jobs ??
          (environment[envNames.broadcastQueueUrl] ? sqsJobQueueFrom(environment) : undefined),
        broadcastRatesFrom(environment),
      ),
      config,
      clock,
      logger,
      metrics,
    },
    {
      tipHistory: new DynamoTipStore({ ...table, clock }),
      token,
      botInfo: botInfoFrom(environment, token),
      client: environment[envNames.telegramApiRoot]
        ? { apiRoot: environment[envNames.telegramApiRoot] }
        : undefined,
    },
  );
  return createWebhookHandler({
    bot,
    secretToken,
    logger,
    metrics,
    timeoutMilliseconds: timeouts.grammyWebhookMs,
  });
}

const webhook = once(() => buildWebhookHandler(process.env));

/** The Lambda handler. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await webhook())(event);
}
