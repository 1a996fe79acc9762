/**
 * `npm start`'s settings: every environment variable the Lambda handlers read (contracts/runtime.ts `env`)
 * plus the local ones (PORT, LAMBDAGRAM_DATA_DIR), checked once with errors that name the variable, and the
 * start banner that shows the settings in effect, so what runs locally is what would run on AWS.
 */

import { botConfigFrom, InvalidConfigurationError } from "../bot/runtime/environment";
import { broadcastRatesFromSettings } from "../contracts/broadcast-rates";
import { defaultRecommendationSchedule, env, routes } from "../contracts/runtime";
import type { LocalStack, LocalStackOptions } from "./stack";

type Environment = Record<string, string | undefined>;

/** A variable has a value the local stack cannot use; says which values it takes. */
export class InvalidLocalSettingError extends Error {
  constructor(name: string, value: string, accepted: string) {
    super(`${name}="${value}" is not usable: ${accepted}. Fix or unset it and run npm start again.`);
    this.name = "InvalidLocalSettingError";
  }
}

/** Variables only AWS uses, and what stands in for each locally (shown when one is set). */
export const awsOnlyVariables: Record<string, string> = {
  [env.botTokenParameter]: `SSM parameter names: locally ${env.botToken} is used`,
  [env.webhookSecretParameter]: `SSM parameter names: locally ${env.webhookSecret} is used`,
  [env.adminTokenParameter]: `SSM parameter names: locally ${env.adminApiToken} is used`,
  [env.broadcastQueueUrl]: "the SQS queue: locally an in-process queue with SQS semantics stands in",
};

const logLevels = ["debug", "info", "warn", "error", "silent"] as const;

/** Stack options from the environment (`process.env` for `npm start`); refuses values that cannot work. */
export function localStackOptionsFrom(environment: Environment): LocalStackOptions {
  const value = (name: string) => {
    const text = environment[name]?.trim();
    return text === "" ? undefined : text;
  };
  const port = value("PORT");
  if (port !== undefined && !/^\d+$/.test(port))
    throw new InvalidLocalSettingError("PORT", port, "a port number");
  const mode = value(env.defaultMode);
  if (mode !== undefined && mode !== "rules" && mode !== "nlp")
    throw new InvalidLocalSettingError(env.defaultMode, mode, '"rules" or "nlp"');
  const admins = value(env.adminUserIds)
    ?.split(",")
    .map((id) => id.trim());
  if (admins?.some((id) => !/^[1-9]\d*$/.test(id)))
    throw new InvalidLocalSettingError(
      env.adminUserIds,
      admins.join(","),
      "comma-separated Telegram user ids",
    );
  const logLevel = value(env.logLevel);
  if (logLevel !== undefined && !(logLevels as readonly string[]).includes(logLevel))
    throw new InvalidLocalSettingError(env.logLevel, logLevel, logLevels.join(", "));
  const paid = value(env.allowPaidBroadcast);
  if (paid !== undefined && !/^(true|1|yes|false|0|no)$/i.test(paid))
    throw new InvalidLocalSettingError(env.allowPaidBroadcast, paid, '"true" or "false"');
  const rate = value(env.broadcastRatePerSecond);
  // The same check the worker makes at its cold start, made before anything starts.
  broadcastRatesFromSettings({ ratePerSecond: rate, allowPaidBroadcast: paid });
  const timezone = value(env.scheduleTimezone);
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: timezone });
    } catch {
      throw new InvalidLocalSettingError(
        env.scheduleTimezone,
        timezone,
        "an IANA time zone such as Europe/Berlin",
      );
    }
  }
  const botInfo = value(env.botInfo);
  if (botInfo !== undefined) {
    try {
      JSON.parse(botInfo);
    } catch {
      throw new InvalidLocalSettingError(env.botInfo, botInfo, "the JSON of a getMe result");
    }
  }
  const botSettings = {
    supportChatId: value(env.supportChatId),
    inboxRetentionDays: value(env.inboxRetentionDays),
    forgetBlockedAfterDays: value(env.forgetBlockedAfterDays),
  };
  // The same checks the handlers make at their cold start.
  for (const [name, setting] of [
    [env.supportChatId, botSettings.supportChatId],
    [env.inboxRetentionDays, botSettings.inboxRetentionDays],
    [env.forgetBlockedAfterDays, botSettings.forgetBlockedAfterDays],
  ] as const) {
    if (setting === undefined) continue;
    try {
      botConfigFrom({ [name]: setting });
    } catch (error) {
      if (!(error instanceof InvalidConfigurationError)) throw error;
      throw new InvalidLocalSettingError(
        name,
        setting,
        name === env.supportChatId ? "a Telegram chat id" : "a whole number of days",
      );
    }
  }
  const optional = <K extends keyof LocalStackOptions>(key: K, setting: LocalStackOptions[K] | undefined) =>
    setting === undefined ? {} : { [key]: setting };
  return {
    ...optional("port", port === undefined ? undefined : Number(port)),
    ...optional("dataDir", value("LAMBDAGRAM_DATA_DIR")),
    ...optional("botToken", value(env.botToken)),
    ...optional("telegramApiRoot", value(env.telegramApiRoot)),
    ...optional("webhookSecret", value(env.webhookSecret)),
    ...optional("adminApiToken", value(env.adminApiToken)),
    ...optional("adminUserIds", admins?.map(Number)),
    ...optional("defaultMode", mode as "rules" | "nlp" | undefined),
    logLevel: (logLevel as LocalStackOptions["logLevel"]) ?? "warn",
    ...optional("broadcastRatePerSecond", rate === undefined ? undefined : Number(rate)),
    ...optional("allowPaidBroadcast", paid === undefined ? undefined : /^(true|1|yes)$/i.test(paid)),
    ...optional("scheduleTimezone", timezone),
    ...optional("botInfo", botInfo),
    ...optional("tableName", value(env.tableName)),
    ...optional("dynamodbEndpoint", value(env.dynamodbEndpoint)),
    ...optional(
      "supportChatId",
      botSettings.supportChatId === undefined ? undefined : Number(botSettings.supportChatId),
    ),
    ...optional(
      "inboxRetentionDays",
      botSettings.inboxRetentionDays === undefined ? undefined : Number(botSettings.inboxRetentionDays),
    ),
    ...optional(
      "forgetBlockedAfterDays",
      botSettings.forgetBlockedAfterDays === undefined
        ? undefined
        : Number(botSettings.forgetBlockedAfterDays),
    ),
  };
}

/** The start banner: where everything is, and the settings in effect (set ones marked, defaults not). */
export function startBanner(stack: LocalStack, environment: Environment, readyMs: number): string[] {
  const effective = stack.environment;
  const shown = (name: string) =>
    `${name}=${effective[name] ?? ""}${environment[name]?.trim() ? "" : " (default)"}`;
  const rates = broadcastRatesFromSettings({
    ratePerSecond: effective[env.broadcastRatePerSecond],
    allowPaidBroadcast: effective[env.allowPaidBroadcast],
  });
  const ignored = Object.entries(awsOnlyVariables)
    .filter(([name]) => environment[name]?.trim())
    .map(([name, why]) => `  ${name} is set but ignored (${why})`);
  return [
    `Lambdagram is running locally (ready in ${readyMs} ms):`,
    `  Web chat         ${stack.url}/`,
    `  Telegram webhook POST ${stack.url}/telegram/webhook  (secret in X-Telegram-Bot-Api-Secret-Token)`,
    `  Admin API        ${stack.url}/admin/...  (Authorization: Bearer ${effective[env.adminApiToken]})`,
    ...adminRouteLines(),
    `  Schedule         recommendations on ${defaultRecommendationSchedule.cron} (${effective[env.scheduleTimezone]}); fire now: POST ${stack.url}/_local/schedules/recommendations`,
    `  Health           GET ${stack.url}/healthz`,
    ...(stack.support
      ? [
          `  Support group    chat ${stack.support.chatId} (SUPPORT_CHAT_ID): "Ask a person" hands users over there; staff user ` +
            `${stack.support.staffUserId} answers by replying (web chat, or POST /_emulator/users/${stack.support.staffUserId}/messages ` +
            "with chat_id and reply_to_message_id)",
        ]
      : []),
    stack.emulator
      ? `  Bot API emulator ${stack.url}/bot<token>/<method>  (control API: ${stack.url}/_emulator/)`
      : `  Bot API          ${effective[env.telegramApiRoot]}`,
    `  DynamoDB         ${stack.dynamo.endpoint} table ${stack.dynamo.tableName} (${stack.dataDir ? `data in ${stack.dataDir}` : "in memory"})`,
    `  Metrics          captured for /stats and GET ${stack.url}/admin/stats (${stack.metrics.file ? `in ${stack.metrics.file}` : "in memory"})`,
    "Settings (environment variables; see README):",
    `  ${shown(env.defaultMode)}  ${shown(env.adminUserIds)}  ${shown(env.logLevel)}  ${shown(env.scheduleTimezone)}`,
    `  ${env.broadcastRatePerSecond}=${rates.totalPerSecond}${environment[env.broadcastRatePerSecond]?.trim() ? "" : " (default)"}  ` +
      `${env.allowPaidBroadcast}=${rates.allowPaidBroadcast}: ${rates.concurrency} workers at ${round(rates.perWorkerPerSecond)}/s, ` +
      `batches of ${rates.batchSize}`,
    `  ${env.webhookSecret}=${environment[env.webhookSecret]?.trim() ? "(set)" : "(random per start)"}  ` +
      `${env.adminApiToken}=${environment[env.adminApiToken]?.trim() ? "(set)" : "(random per start, above)"}`,
    ...ignored,
    "Press Ctrl-C to stop.",
  ];
}

/** The admin API's routes, as contracts/runtime.ts lists them (the same table API Gateway serves), four a line. */
function adminRouteLines(): string[] {
  const keys = routes.filter((route) => route.function === "adminApi").map((route) => route.routeKey);
  const lines: string[] = [];
  for (let i = 0; i < keys.length; i += 4)
    lines.push(`                   ${keys.slice(i, i + 4).join(", ")}`);
  return lines;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
