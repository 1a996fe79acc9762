/**
 * Reading the environment: configuration, secrets (from SSM on AWS, plain variables locally), the files
 * `npm run build` bundles next to each handler, the DynamoDB table. Used by the composition root
 * (services.ts); bot/runtime/ and `local/` are the only places that read the environment or build AWS clients.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { UserFromGetMe } from "grammy/types";
import type { Content } from "../../content/schema";
import { bundleFiles, env as envNames } from "../../contracts/runtime";
import { type CompiledRules, RuleClassifier } from "../../nlp/rules";
import { botIdFromToken, botInfoFor } from "../bot-info";
import { type BotConfig, botConfigDefaults } from "../context";
import { createJsonLogger, type LogLevel } from "../observability/logger";
import type { Clock, Logger, Mode } from "../ports";
import { createDynamoStorage } from "../storage/dynamodb";
import { createDynamoClients } from "../storage/dynamodb-client";
import type { Storage } from "../storage/port";
import { awsClientConfigFrom, type Environment, MissingConfigurationError } from "./aws";

export { type Environment, MissingAwsCredentialsError, MissingConfigurationError } from "./aws";

/** Where one secret comes from: a plain variable (locally), or the name of an SSM parameter (on AWS). */
export interface SecretSource {
  plain: string;
  parameter: string;
}

/**
 * Reads secrets given either directly (`plain`) or as SSM SecureString parameter names, in the order asked.
 * Every parameter comes from one `GetParameters` request (one client, one round trip at cold start).
 */
export async function readSecrets(environment: Environment, sources: SecretSource[]): Promise<string[]> {
  const values = sources.map((source) => environment[source.plain]);
  const wanted = new Map<string, string>();
  for (const [i, source] of sources.entries()) {
    if (values[i]) continue;
    const parameter = environment[source.parameter];
    if (!parameter) throw new MissingConfigurationError([source.plain, source.parameter]);
    wanted.set(source.parameter, parameter);
  }
  if (wanted.size === 0) return values as string[];
  // Loaded here only: a handler whose secrets are plain variables never loads the SSM client.
  const { getParameters } = await import("./ssm");
  const found: Map<string | undefined, string> = await getParameters(
    awsClientConfigFrom(environment, "ssm"),
    [...new Set(wanted.values())],
  );
  return sources.map((source, i) => {
    const value = values[i] || found.get(wanted.get(source.parameter));
    if (!value)
      throw new MissingConfigurationError([
        `${source.parameter} (SSM parameter ${wanted.get(source.parameter)} is missing or empty)`,
      ]);
    return value;
  });
}

/** Reads a required plain variable. */
export function required(environment: Environment, name: string): string {
  const value = environment[name];
  if (!value) throw new MissingConfigurationError([name]);
  return value;
}

/** The operator's bot configuration from the environment. */
export function botConfigFrom(environment: Environment): BotConfig {
  const mode = environment[envNames.defaultMode];
  return {
    defaultMode: (mode === "nlp" ? "nlp" : "rules") satisfies Mode,
    adminUserIds: (environment[envNames.adminUserIds] ?? "")
      .split(",")
      .map((id) => Number(id.trim()))
      .filter((id) => Number.isSafeInteger(id) && id > 0),
    defaultTipHour: botConfigDefaults.defaultTipHour,
    // Tip hours are hours of the schedule's zone; users see it beside every hour.
    timeZone: environment[envNames.scheduleTimezone] || "UTC",
    ...optionalChatId(environment, envNames.supportChatId),
    inboxRetentionDays: positiveDays(
      environment,
      envNames.inboxRetentionDays,
      botConfigDefaults.inboxRetentionDays,
    ),
    forgetBlockedAfterDays: positiveDays(
      environment,
      envNames.forgetBlockedAfterDays,
      botConfigDefaults.forgetBlockedAfterDays,
    ),
  };
}

/** `{ supportChatId }` from a chat id variable (negative for groups), or nothing when unset. */
function optionalChatId(environment: Environment, name: string): { supportChatId?: number } {
  const raw = environment[name]?.trim();
  if (!raw) return {};
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id === 0)
    throw new InvalidConfigurationError(name, raw, "a Telegram chat id");
  return { supportChatId: id };
}

/** A whole number of days from a variable, or `fallback` when unset. */
function positiveDays(environment: Environment, name: string, fallback: number): number {
  const raw = environment[name]?.trim();
  if (!raw) return fallback;
  const days = Number(raw);
  if (!Number.isSafeInteger(days) || days < 1)
    throw new InvalidConfigurationError(name, raw, "a whole number of days, at least 1");
  return days;
}

/** Thrown at cold start when a configuration variable is set to a value the bot cannot use. */
export class InvalidConfigurationError extends Error {
  constructor(name: string, value: string, expected: string) {
    super(
      `${name}=${JSON.stringify(value)} is not ${expected}; fix it in the stack configuration (docs/deploy.md) or the local environment.`,
    );
    this.name = "InvalidConfigurationError";
  }
}

/** `getMe` from BOT_INFO when given (Pulumi writes it), else derived from the token. */
export function botInfoFrom(environment: Environment, token: string): UserFromGetMe {
  const json = environment[envNames.botInfo];
  if (json) return JSON.parse(json) as UserFromGetMe;
  return botInfoFor(botIdFromToken(token), "lambdagram_bot");
}

/** Thrown at cold start when a file `npm run build` puts next to the handler is missing. */
export class MissingBundleFileError extends Error {
  constructor(path: string) {
    super(
      `${path} is missing: run \`npm run build\` (it validates content/ and writes it next to each bundle).`,
    );
    this.name = "MissingBundleFileError";
  }
}

/**
 * Content bundled next to the handler (`content.json`, validated and written by `npm run build`). Local
 * runners load `content/` themselves and pass it in, so the YAML parser and schema stay out of the bundle.
 */
export function loadBundledContent(directory: string): Content {
  const bundled = join(directory, bundleFiles.content);
  if (!existsSync(bundled)) throw new MissingBundleFileError(bundled);
  return JSON.parse(readFileSync(bundled, "utf8")) as Content;
}

/**
 * The rule tier as `npm run build` compiled it (`rules.json`, ~1 ms to read instead of ~15-25 ms to compile).
 * The bundled content has no example phrases to compile from, so a missing file is an incomplete build.
 */
export function loadBundledRules(directory: string): RuleClassifier {
  const bundled = join(directory, bundleFiles.rules);
  if (!existsSync(bundled)) throw new MissingBundleFileError(bundled);
  return new RuleClassifier(JSON.parse(readFileSync(bundled, "utf8")) as CompiledRules);
}

/** A logger at LOG_LEVEL (default info). */
export function loggerFrom(environment: Environment, base: Record<string, unknown>): Logger {
  return createJsonLogger({
    level: (environment[envNames.logLevel] as LogLevel | undefined) ?? "info",
    base,
  });
}

/** The DynamoDB document client and the table every store uses. */
export interface Table {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** The DynamoDB document client and table name (DYNAMODB_ENDPOINT points it at dynalite locally). */
export function tableFrom(environment: Environment): Table {
  const endpoint = environment[envNames.dynamodbEndpoint];
  const config = {
    ...awsClientConfigFrom(environment, "dynamodb"),
    ...dynamoProfileSettingsFrom(environment),
  };
  const { documentClient } = createDynamoClients(
    endpoint
      ? {
          ...config,
          endpoint,
          region: environment.AWS_REGION ?? "local",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : config,
  );
  return { client: documentClient, tableName: required(environment, envNames.tableName) };
}

/**
 * DynamoDB's own settings the SDK would look up in the shared config files after the environment; on Lambda
 * (no such files) resolved from the environment alone, as bot/runtime/aws.ts `profileSettingsFrom` does.
 */
function dynamoProfileSettingsFrom(environment: Environment): {
  accountIdEndpointMode?: "preferred" | "disabled" | "required";
  endpointDiscoveryEnabled?: boolean;
} {
  if (!environment.AWS_LAMBDA_FUNCTION_NAME) return {};
  const discovery = environment.AWS_ENABLE_ENDPOINT_DISCOVERY ?? environment.AWS_ENDPOINT_DISCOVERY_ENABLED;
  return {
    accountIdEndpointMode: (environment.AWS_ACCOUNT_ID_ENDPOINT_MODE || "preferred") as "preferred",
    endpointDiscoveryEnabled: discovery !== undefined && !["false", "0"].includes(discovery),
  };
}

/** DynamoDB storage over {@link tableFrom}. */
export function storageFrom(table: Table, clock?: Clock): Storage {
  return createDynamoStorage({ ...table, ...(clock ? { clock } : {}) });
}

/** Runs `build` once per execution environment; a failed cold start is retried on the next invocation. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
