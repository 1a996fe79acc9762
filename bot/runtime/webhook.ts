/**
 * Builds the handler of `POST /telegram/webhook` from the composition root: secrets (SSM on AWS, plain
 * variables locally), content and rule tier (bundled next to the handler, or given), storage, broadcasts and
 * tips on the table, and the webhook core around the bot. bot/handlers/webhook.ts runs it once per container.
 */
import { env as envNames, timeouts } from "../../contracts/runtime";
import { DynamoBroadcastQueue } from "../broadcast/dynamodb-queue";
import { createBot } from "../create-bot";
import { createWebhookHandler, type WebhookHandler } from "../webhook";
import { botInfoFrom } from "./environment";
import type { Services } from "./services";

/** Builds the webhook handler (the Lambda entry, the local stack and tests call it). */
export async function buildWebhookHandler(services: Services): Promise<WebhookHandler> {
  const { environment, clock } = services;
  const logger = services.logger("webhook");
  // Metrics go to CloudWatch through the function's log stream; locally to the stack's capture, if any.
  const metrics = services.metrics(logger);
  const [token, secretToken] = (await services.secrets([
    { plain: envNames.botToken, parameter: envNames.botTokenParameter },
    { plain: envNames.webhookSecret, parameter: envNames.webhookSecretParameter },
  ])) as [string, string];
  const config = services.config;
  const bot = createBot(
    {
      content: services.content,
      storage: services.storage,
      classifiers: {
        rules: services.rules,
        nlp: services.nlp(logger, { lazy: config.defaultMode !== "nlp" }),
      },
      broadcasts: new DynamoBroadcastQueue({
        store: services.broadcasts(),
        jobs: services.optionalJobs,
        clock,
        rates: services.rates,
        metrics,
      }),
      config,
      clock,
      logger,
      metrics,
      stats: services.stats,
      handoff: services.handoff,
      eraser: services.eraser(logger),
      inbox: services.inbox,
    },
    {
      tipHistory: services.tips,
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
