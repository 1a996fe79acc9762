/**
 * What every Lambda handler needs at cold start, built once per execution environment from the
 * environment: configuration, secrets (from SSM on AWS, plain variables locally), content, storage.
 * This and `local/` are the only places that read `process.env` or build AWS clients.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { UserFromGetMe } from "grammy/types";
import type { Content } from "../../content/schema";
import { bundleFiles, env as envNames } from "../../contracts/runtime";
import { type CompiledRules, RuleClassifier } from "../../nlp/rules";
import { DynamoDocumentClient } from "../aws/dynamodb";
import { type AwsClientOptions, AwsJsonClient, type AwsJsonService, awsServices } from "../aws/json-protocol";
import { botIdFromToken, botInfoFor } from "../bot-info";
import type { BotConfig } from "../context";
import { createJsonLogger, type LogLevel } from "../observability/logger";
import type { Logger, Mode, Storage } from "../ports";
import { createDynamoStorage } from "../storage/dynamodb";

/** Thrown at cold start when a required environment variable is missing; names the variable. */
export class MissingConfigurationError extends Error {
  constructor(names: string[]) {
    super(
      `Missing environment variable ${names.join(" or ")}. On AWS the Pulumi program sets it; locally \`npm start\` does.`,
    );
    this.name = "MissingConfigurationError";
  }
}

/** The environment, as a plain record (so tests can pass their own). */
export type Environment = Record<string, string | undefined>;

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
  const ssm = new AwsJsonClient(awsServices.ssm, awsClientOptionsFrom(environment, awsServices.ssm));
  const result = await ssm
    .call<{ Parameters?: { Name?: string; Value?: string }[] }>("GetParameters", {
      Names: [...new Set(wanted.values())],
      WithDecryption: true,
    })
    .finally(() => ssm.destroy()); // one request per cold start: no idle connection to keep
  const found = new Map((result.Parameters ?? []).map((p) => [p.Name, p.Value]));
  return sources.map((source, i) => {
    const value = values[i] || found.get(wanted.get(source.parameter));
    if (!value)
      throw new MissingConfigurationError([
        `${source.parameter} (SSM parameter ${wanted.get(source.parameter)} is missing or empty)`,
      ]);
    return value;
  });
}

/** {@link readSecrets} for one secret. */
export async function readSecret(
  environment: Environment,
  plainName: string,
  parameterName: string,
): Promise<string> {
  const [value] = await readSecrets(environment, [{ plain: plainName, parameter: parameterName }]);
  return value as string;
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
    defaultTipHour: 9,
  };
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

/** Thrown at cold start when no AWS credentials are in the environment (Lambda always sets them). */
export class MissingAwsCredentialsError extends Error {
  constructor() {
    super(
      "No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary " +
        "ones). Lambda sets them from the function's role; elsewhere export them, e.g. " +
        '`eval "$(aws configure export-credentials --format env)"`.',
    );
    this.name = "MissingAwsCredentialsError";
  }
}

/**
 * Region, credentials and endpoint of an AWS client, from the variables Lambda sets (AWS_REGION and the role's
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN), with the SDK's endpoint overrides
 * (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL) for local and test endpoints.
 */
export function awsClientOptionsFrom(environment: Environment, service: AwsJsonService): AwsClientOptions {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new MissingAwsCredentialsError();
  // Lambda always sets AWS_REGION; elsewhere a silent default would only surface as signature errors.
  const region = environment.AWS_REGION || environment.AWS_DEFAULT_REGION;
  if (!region) throw new MissingConfigurationError(["AWS_REGION"]);
  const sessionToken = environment.AWS_SESSION_TOKEN;
  const endpoint =
    environment[`AWS_ENDPOINT_URL_${service.name.toUpperCase()}`] ?? environment.AWS_ENDPOINT_URL;
  return {
    region,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    ...(endpoint ? { endpoint } : {}),
  };
}

/** The DynamoDB document client and table name (DYNAMODB_ENDPOINT points it at dynalite locally). */
export function tableFrom(environment: Environment): { client: DynamoDocumentClient; tableName: string } {
  const endpoint = environment[envNames.dynamodbEndpoint];
  const client = new DynamoDocumentClient(
    endpoint
      ? {
          endpoint,
          region: environment.AWS_REGION ?? "local",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : awsClientOptionsFrom(environment, awsServices.dynamodb),
  );
  return { client, tableName: required(environment, envNames.tableName) };
}

/** DynamoDB storage over {@link tableFrom}. */
export function storageFrom(table: { client: DynamoDocumentClient; tableName: string }): Storage {
  return createDynamoStorage(table);
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
