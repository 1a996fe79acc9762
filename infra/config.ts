/**
 * Stack configuration: every key the program reads, its default and its validation, in one place. Keys are
 * documented in Pulumi.yaml and docs/deploy.md; a missing or malformed key fails the deployment before any
 * resource is touched, with the exact `pulumi config set` command that fixes it.
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultRecommendationSchedule } from "../contracts/runtime";

/** Which tier interprets free text by default (mirrors the bot's `Mode`; infra does not import bot/). */
export type DefaultMode = "rules" | "nlp";

/** The validated configuration of one stack. */
export interface StackConfig {
  /** Bot token from @BotFather, kept a Pulumi secret end to end. */
  telegramBotToken: pulumi.Output<string>;
  /** Telegram user ids allowed to broadcast. */
  adminUserIds: number[];
  defaultMode: DefaultMode;
  /** EventBridge Scheduler expression, e.g. `cron(0 * * * ? *)`. */
  recommendationSchedule: string;
  /** IANA time zone of the schedule and of users' tip hours. */
  scheduleTimezone: string;
  lambdaMemoryMb: number;
  logRetentionDays: number;
  /** Alarm notifications go to this address when set (the subscription must be confirmed by email). */
  alarmEmail?: string;
  /** Lets broadcasts use Telegram's paid broadcasts (up to 1000 messages/s, billed in Stars). */
  allowPaidBroadcast: boolean;
  /** DynamoDB deletion protection; on for every stack except dev stacks unless set explicitly. */
  deletionProtection: boolean;
  /**
   * Reserve the broadcast worker's concurrency (opt-in): guarantees the workers a share of the account's
   * concurrency, but fails `pulumi up` half way on accounts with a low quota, where AWS keeps 100 unreserved.
   */
  reserveBroadcastConcurrency: boolean;
  /** Extra tags on every taggable resource (cost allocation, ownership), beside the project and stack tags. */
  tags: Record<string, string>;
  /** Telegram chat id of the staff group that answers "Ask a person"; unset: no human handoff. */
  supportChatId?: number;
  /** Days an inbox entry (what the bot could not answer, 👎 feedback) is kept. */
  inboxRetentionDays: number;
  /** Days after which the data of a user who blocked the bot is deleted. */
  forgetBlockedAfterDays: number;
}

/**
 * Thrown when a required key is not set; the message is the command that sets it. A `RunError`, so
 * `pulumi up` prints just the message, without a stack trace.
 */
export class MissingConfigError extends pulumi.RunError {
  constructor(
    readonly key: string,
    readonly setCommand: string,
  ) {
    super(`Missing required configuration "${key}". Set it with: ${setCommand}`);
    this.name = "MissingConfigError";
  }
}

/** Thrown when a key is set to a value the program cannot use; the message says what is expected (a `RunError`). */
export class InvalidConfigError extends pulumi.RunError {
  constructor(
    readonly key: string,
    readonly value: string,
    expected: string,
  ) {
    super(
      `Invalid configuration "${key}" = ${JSON.stringify(value)}: expected ${expected}. Fix it with: pulumi config set ${key} <value>`,
    );
    this.name = "InvalidConfigError";
  }
}

/** Log retention periods CloudWatch Logs accepts. */
export const allowedLogRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Defaults of the optional keys (documented in Pulumi.yaml). */
export const configDefaults = {
  defaultMode: "nlp",
  recommendationSchedule: defaultRecommendationSchedule.cron,
  scheduleTimezone: defaultRecommendationSchedule.timezone,
  lambdaMemoryMb: 512,
  logRetentionDays: 30,
  allowPaidBroadcast: false,
  reserveBroadcastConcurrency: false,
  inboxRetentionDays: 90,
  forgetBlockedAfterDays: 180,
} as const;

/** Where raw values come from: `pulumi.Config` in a deployment, a plain object in tests. */
export interface ConfigSource {
  get(key: string): string | undefined;
  getSecret(key: string): pulumi.Output<string> | undefined;
}

/** True for stacks meant to be thrown away (`dev`, `dev-*`, `*-dev`): they get no deletion protection. */
export function isDevStack(stack: string): boolean {
  return stack === "dev" || stack.startsWith("dev-") || stack.endsWith("-dev");
}

/** Parses and validates every key; throws {@link MissingConfigError} or {@link InvalidConfigError}. */
export function parseStackConfig(source: ConfigSource, stack: string): StackConfig {
  const telegramBotToken = source.getSecret("telegramBotToken");
  if (telegramBotToken === undefined) {
    throw new MissingConfigError(
      "telegramBotToken",
      "pulumi config set --secret telegramBotToken <token from @BotFather>",
    );
  }
  const adminUserIdsRaw = source.get("adminUserIds");
  if (adminUserIdsRaw === undefined || adminUserIdsRaw.trim() === "") {
    throw new MissingConfigError(
      "adminUserIds",
      'pulumi config set adminUserIds "<your Telegram user id>,<another>"',
    );
  }
  const alarmEmail = source.get("alarmEmail")?.trim() || undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new InvalidConfigError("alarmEmail", alarmEmail, "an e-mail address");
  }
  const deletionProtectionRaw = source.get("deletionProtection");
  const supportChatIdRaw = source.get("supportChatId")?.trim() || undefined;
  const supportChatId = supportChatIdRaw === undefined ? undefined : Number(supportChatIdRaw);
  if (supportChatIdRaw !== undefined && (!Number.isSafeInteger(supportChatId) || supportChatId === 0)) {
    throw new InvalidConfigError(
      "supportChatId",
      supportChatIdRaw,
      "the numeric id of the staff group, e.g. -1001234567890 (docs/deploy.md, Human handoff)",
    );
  }
  return {
    telegramBotToken,
    adminUserIds: parseUserIds(adminUserIdsRaw),
    defaultMode: parseEnum("defaultMode", source.get("defaultMode") ?? configDefaults.defaultMode, [
      "rules",
      "nlp",
    ]),
    recommendationSchedule: parseSchedule(
      source.get("recommendationSchedule") ?? configDefaults.recommendationSchedule,
    ),
    scheduleTimezone: parseTimezone(source.get("scheduleTimezone") ?? configDefaults.scheduleTimezone),
    lambdaMemoryMb: parseInteger(
      "lambdaMemoryMb",
      source.get("lambdaMemoryMb"),
      configDefaults.lambdaMemoryMb,
      128,
      10_240,
    ),
    logRetentionDays: parseRetention(source.get("logRetentionDays")),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    allowPaidBroadcast: parseBoolean(
      "allowPaidBroadcast",
      source.get("allowPaidBroadcast"),
      configDefaults.allowPaidBroadcast,
    ),
    deletionProtection: parseBoolean("deletionProtection", deletionProtectionRaw, !isDevStack(stack)),
    reserveBroadcastConcurrency: parseBoolean(
      "reserveBroadcastConcurrency",
      source.get("reserveBroadcastConcurrency"),
      configDefaults.reserveBroadcastConcurrency,
    ),
    tags: parseTags(source.get("tags")),
    ...(supportChatId === undefined ? {} : { supportChatId }),
    inboxRetentionDays: parseInteger(
      "inboxRetentionDays",
      source.get("inboxRetentionDays"),
      configDefaults.inboxRetentionDays,
      1,
      3650,
    ),
    forgetBlockedAfterDays: parseInteger(
      "forgetBlockedAfterDays",
      source.get("forgetBlockedAfterDays"),
      configDefaults.forgetBlockedAfterDays,
      1,
      3650,
    ),
  };
}

/** Reads the current stack's configuration through `pulumi.Config` (project namespace). */
export function readStackConfig(): StackConfig {
  const config = new pulumi.Config();
  return parseStackConfig(
    { get: (key) => config.get(key), getSecret: (key) => config.getSecret(key) },
    pulumi.getStack(),
  );
}

function parseUserIds(raw: string): number[] {
  const parts = raw
    .replace(/^\[|\]$/g, "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const ids = parts.map(Number);
  if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
    throw new InvalidConfigError(
      "adminUserIds",
      raw,
      "comma-separated numeric Telegram user ids, e.g. 12345,67890",
    );
  }
  return ids;
}

function parseEnum<T extends string>(key: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw))
    throw new InvalidConfigError(key, raw, `one of ${allowed.join(", ")}`);
  return raw as T;
}

function parseSchedule(raw: string): string {
  const cron = /^cron\((\S+\s+){5}\S+\)$/;
  const rate = /^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/;
  if (!cron.test(raw) && !rate.test(raw)) {
    throw new InvalidConfigError(
      "recommendationSchedule",
      raw,
      'an EventBridge Scheduler expression such as "cron(0 * * * ? *)" (six fields) or "rate(1 hour)"',
    );
  }
  return raw;
}

function parseTimezone(raw: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone: raw });
    return raw;
  } catch {
    throw new InvalidConfigError(
      "scheduleTimezone",
      raw,
      'an IANA time zone such as "UTC" or "Asia/Ho_Chi_Minh"',
    );
  }
}

function parseInteger(
  key: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(key, raw, `a whole number from ${min} to ${max}`);
  }
  return value;
}

function parseRetention(raw: string | undefined): number {
  if (raw === undefined) return configDefaults.logRetentionDays;
  const value = Number(raw);
  if (!(allowedLogRetentionDays as readonly number[]).includes(value)) {
    throw new InvalidConfigError("logRetentionDays", raw, `one of ${allowedLogRetentionDays.join(", ")}`);
  }
  return value;
}

function parseBoolean(key: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new InvalidConfigError(key, raw, "true or false");
}

/** AWS tag rules: keys 1-128 characters, values up to 256, and the `aws:` prefix is reserved. */
function parseTags(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw.trim() === "") return {};
  const expected =
    'a JSON object of strings, e.g. {"team":"support","cost-center":"42"} (keys 1-128 characters, not starting with "aws:"; values up to 256)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidConfigError("tags", raw, expected);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new InvalidConfigError("tags", raw, expected);
  const entries = Object.entries(parsed);
  for (const [key, value] of entries) {
    if (
      typeof value !== "string" ||
      key.length < 1 ||
      key.length > 128 ||
      value.length > 256 ||
      key.toLowerCase().startsWith("aws:")
    )
      throw new InvalidConfigError("tags", raw, expected);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
