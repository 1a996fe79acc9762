/**
 * Builds the handler of `POST /telegram/webhook` from the composition root: secrets (SSM on AWS, plain
 * variables locally), content and rule tier (bundled next to the handler, or given), storage, broadcasts and
 * tips on the table, and the webhook core around the bot. bot/handlers/webhook.ts runs it once per container.
 */
import type { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { env as envNames, timeouts } from "../../contracts/runtime";
import { DynamoBroadcastQueue } from "../broadcast/dynamodb-queue";
import type { BotContext } from "../context";
import { createBot } from "../create-bot";
import type { Logger } from "../ports";
import { createWebhookHandler, type WebhookHandler } from "../webhook";
import { botInfoFrom } from "./environment";
import type { Services } from "./services";

/** Builds the webhook handler (the Lambda entry, the local stack and tests call it). */
export async function buildWebhookHandler(services: Services): Promise<WebhookHandler> {
  const logger = services.logger("webhook");
  const [token, secretToken] = (await services.secrets([
    { plain: envNames.botToken, parameter: envNames.botTokenParameter },
    { plain: envNames.webhookSecret, parameter: envNames.webhookSecretParameter },
  ])) as [string, string];
  // Metrics go to CloudWatch through the function's log stream; locally to the stack's capture, if any.
  const metrics = services.metrics(logger);
  const bot = buildBot(
    services,
    logger,
    { token, botInfo: botInfoFrom(services.environment, token) },
    metrics,
  );
  return createWebhookHandler({
    bot,
    secretToken,
    logger,
    metrics,
    timeoutMilliseconds: timeouts.grammyWebhookMs,
  });
}

/**
 * The bot over the composition root's adapters: the webhook runs it, and so does `npm start`'s long polling
 * against real Telegram (local/long-polling.ts), so both are the same bot.
 */
export function buildBot(
  services: Services,
  logger: Logger,
  telegram: { token: string; botInfo: UserFromGetMe },
  metrics = services.metrics(logger),
): Bot<BotContext> {
  const { environment, clock } = services;
  const config = services.config;
  return createBot(
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
      ...telegram,
      client: environment[envNames.telegramApiRoot]
        ? { apiRoot: environment[envNames.telegramApiRoot] }
        : undefined,
    },
  );
}
