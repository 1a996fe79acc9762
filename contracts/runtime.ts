/**
 * Names shared by the Lambda handlers, the local stack and the Pulumi program: environment variables,
 * bundle entry points and HTTP routes. Changing one here changes it everywhere at once.
 */

/** Environment variables the Lambda handlers read (only handlers and the local runner read the environment). */
export const env = {
  tableName: "TABLE_NAME",
  /** SSM SecureString parameter name holding the bot token (the value never sits in the environment on AWS). */
  botTokenParameter: "BOT_TOKEN_PARAMETER",
  /** SSM SecureString parameter name holding the webhook secret token. */
  webhookSecretParameter: "WEBHOOK_SECRET_PARAMETER",
  /** SSM SecureString parameter name holding the admin API bearer token. */
  adminTokenParameter: "ADMIN_TOKEN_PARAMETER",
  /** Plain values, used by the local stack instead of the parameters above. */
  botToken: "BOT_TOKEN",
  webhookSecret: "WEBHOOK_SECRET",
  adminApiToken: "ADMIN_API_TOKEN",
  /** JSON of Telegram's `getMe` result, so a cold start makes no `getMe` call. */
  botInfo: "BOT_INFO",
  telegramApiRoot: "TELEGRAM_API_ROOT",
  adminUserIds: "ADMIN_USER_IDS",
  defaultMode: "DEFAULT_MODE",
  broadcastQueueUrl: "BROADCAST_QUEUE_URL",
  broadcastRatePerSecond: "BROADCAST_RATE_PER_SECOND",
  allowPaidBroadcast: "ALLOW_PAID_BROADCAST",
  scheduleTimezone: "SCHEDULE_TIMEZONE",
  dynamodbEndpoint: "DYNAMODB_ENDPOINT",
  logLevel: "LOG_LEVEL",
  /** Telegram chat id of the staff group that answers "Ask a person" (human handoff); unset: no handoff. */
  supportChatId: "SUPPORT_CHAT_ID",
  /** Days an inbox entry is kept (DynamoDB TTL); default 90. */
  inboxRetentionDays: "INBOX_RETENTION_DAYS",
  /** Days after which a user who blocked the bot is forgotten; default 180. */
  forgetBlockedAfterDays: "FORGET_BLOCKED_AFTER_DAYS",
} as const;

/** The Lambda functions: bundle name (dist/<name>/index.js) and source entry. */
export const functions = {
  webhook: { entry: "bot/handlers/webhook.ts", handler: "index.handler" },
  recommendations: { entry: "bot/handlers/recommendations.ts", handler: "index.handler" },
  broadcastWorker: { entry: "bot/handlers/broadcast-worker.ts", handler: "index.handler" },
  adminApi: { entry: "bot/handlers/admin-api.ts", handler: "index.handler" },
} as const;

/** Function names as a type, for maps keyed by function. */
export type FunctionName = keyof typeof functions;

/** HTTP API routes and the function each invokes; the same table drives API Gateway and the local server. */
export const routes = [
  { routeKey: "POST /telegram/webhook", function: "webhook" },
  { routeKey: "POST /admin/broadcasts", function: "adminApi" },
  { routeKey: "GET /admin/broadcasts/{id}", function: "adminApi" },
  { routeKey: "POST /admin/broadcasts/{id}/cancel", function: "adminApi" },
  { routeKey: "GET /admin/stats", function: "adminApi" },
  { routeKey: "GET /admin/questionnaires", function: "adminApi" },
  { routeKey: "GET /admin/questionnaires/{id}/responses", function: "adminApi" },
  { routeKey: "GET /admin/questionnaires/{id}/results", function: "adminApi" },
  { routeKey: "GET /admin/inbox", function: "adminApi" },
  { routeKey: "POST /admin/inbox/{id}", function: "adminApi" },
] as const satisfies readonly { routeKey: string; function: FunctionName }[];

/**
 * Files `npm run build` writes next to each bundle and the handlers read at cold start: one definition, so the
 * writer and the readers cannot drift apart.
 */
export const bundleFiles = {
  /** The validated content pack, without example phrases (scripts/build.ts `withoutExamples`). */
  content: "content.json",
  /** The webhook's rule tier, compiled (nlp/rules.ts `compileRules`). */
  rules: "rules.json",
  /** The webhook's NLP model (`npm run nlp:train`). */
  model: "model.json",
} as const;

/** Timeouts that must nest: grammY webhook < webhook Lambda < API Gateway integration (30 s max). */
export const timeouts = {
  grammyWebhookMs: 8_000,
  webhookLambdaSeconds: 10,
  apiGatewayIntegrationMs: 29_000,
  recommendationsLambdaSeconds: 300,
  broadcastWorkerLambdaSeconds: 120,
  adminApiLambdaSeconds: 10,
} as const;

/** The default schedule for daily recommendations: every hour on the hour (users pick their own tip hour). */
export const defaultRecommendationSchedule = { cron: "cron(0 * * * ? *)", timezone: "UTC" } as const;

/** Updates the bot asks Telegram for (setWebhook `allowed_updates`). */
export const allowedUpdates = ["message", "callback_query", "my_chat_member"] as const;
