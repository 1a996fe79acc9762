/**
 * Stack configuration: required keys fail with the `pulumi config set` command that fixes them, optional
 * keys get their documented defaults, and malformed values are refused before anything is deployed.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  type ConfigSource,
  configDefaults,
  InvalidConfigError,
  isDevStack,
  MissingConfigError,
  parseStackConfig,
} from "../../infra/config";

pulumi.runtime.setMocks(
  { newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs },
  "lambdagram",
  "prod",
  false,
);

/** A config source over plain values; `telegramBotToken` is returned as a secret, like `--secret`. */
function source(values: Record<string, string>): ConfigSource {
  return {
    get: (key) => values[key],
    getSecret: (key) => (values[key] === undefined ? undefined : pulumi.secret(values[key] as string)),
  };
}
const required = { telegramBotToken: "1:abc", adminUserIds: "1001" };

describe("required keys", () => {
  test("a missing bot token names the key and the exact `pulumi config set --secret` command", () => {
    expect(() => parseStackConfig(source({ adminUserIds: "1" }), "prod")).toThrow(MissingConfigError);
    expect(() => parseStackConfig(source({ adminUserIds: "1" }), "prod")).toThrow(
      'Missing required configuration "telegramBotToken". Set it with: pulumi config set --secret telegramBotToken <token from @BotFather>',
    );
  });

  test("missing admin ids name the key and the command", () => {
    expect(() => parseStackConfig(source({ telegramBotToken: "1:abc" }), "prod")).toThrow(
      /"adminUserIds".*pulumi config set adminUserIds/,
    );
  });

  test("the token stays a secret output", async () => {
    const config = parseStackConfig(source(required), "prod");
    expect(await pulumi.isSecret(config.telegramBotToken)).toBe(true);
  });
});

describe("defaults", () => {
  test("optional keys get the defaults documented in Pulumi.yaml", () => {
    const config = parseStackConfig(source(required), "prod");
    expect(config).toMatchObject({
      adminUserIds: [1001],
      defaultMode: "nlp",
      recommendationSchedule: "cron(0 * * * ? *)",
      scheduleTimezone: "UTC",
      lambdaMemoryMb: 512,
      logRetentionDays: 30,
      allowPaidBroadcast: false,
      deletionProtection: true,
      inboxRetentionDays: 90,
      forgetBlockedAfterDays: 180,
    });
    expect(config.alarmEmail).toBeUndefined();
    expect(config.supportChatId).toBeUndefined();
  });

  test("Pulumi.yaml declares the same defaults and documents every key the program reads", () => {
    const text = readFileSync(path.join(__dirname, "../../Pulumi.yaml"), "utf8");
    const project = parse(text) as { config: Record<string, { default: unknown; description: string }> };
    for (const [key, value] of Object.entries(configDefaults)) {
      expect({ key, default: String(project.config[key]?.default) }).toEqual({ key, default: String(value) });
      expect(project.config[key]?.description.length).toBeGreaterThan(20);
    }
    // Keys without a default are documented in comments: declaring them would let Pulumi reject a missing
    // key before the program can print the `pulumi config set` command.
    for (const key of [
      "telegramBotToken",
      "adminUserIds",
      "alarmEmail",
      "deletionProtection",
      "tags",
      "supportChatId",
    ]) {
      expect(text).toContain(`#   ${key}`);
    }
  });

  test("deletion protection is off by default only for dev stacks, and can be set either way", () => {
    expect(["dev", "dev-alice", "feature-dev"].map(isDevStack)).toEqual([true, true, true]);
    expect(["prod", "staging", "devops"].map(isDevStack)).toEqual([false, false, false]);
    expect(parseStackConfig(source(required), "dev").deletionProtection).toBe(false);
    expect(
      parseStackConfig(source({ ...required, deletionProtection: "false" }), "prod").deletionProtection,
    ).toBe(false);
    expect(
      parseStackConfig(source({ ...required, deletionProtection: "true" }), "dev").deletionProtection,
    ).toBe(true);
  });
});

describe("validation", () => {
  test.each([
    ["adminUserIds", "alice"],
    ["adminUserIds", "1,-2"],
    ["defaultMode", "smart"],
    ["recommendationSchedule", "0 * * * *"],
    ["recommendationSchedule", "cron(0 * * *)"],
    ["scheduleTimezone", "Mars/Olympus"],
    ["lambdaMemoryMb", "64"],
    ["lambdaMemoryMb", "512.5"],
    ["logRetentionDays", "10"],
    ["alarmEmail", "not-an-address"],
    ["allowPaidBroadcast", "yes"],
    ["reserveBroadcastConcurrency", "1"],
    ["tags", "team=support"],
    ["tags", '["support"]'],
    ["tags", '{"aws:owner":"me"}'],
    ["tags", '{"team":42}'],
    ["supportChatId", "staff"],
    ["supportChatId", "0"],
    ["inboxRetentionDays", "0"],
    ["forgetBlockedAfterDays", "forever"],
  ])("%s = %j is refused with what is expected and how to fix it", (key, value) => {
    const attempt = () => parseStackConfig(source({ ...required, [key]: value }), "prod");
    expect(attempt).toThrow(InvalidConfigError);
    expect(attempt).toThrow(
      new RegExp(`Invalid configuration "${key}".*expected .*pulumi config set ${key}`),
    );
  });

  test("well-formed values are accepted as given", () => {
    const config = parseStackConfig(
      source({
        ...required,
        adminUserIds: "[1, 2,3]",
        recommendationSchedule: "rate(1 hour)",
        scheduleTimezone: "Asia/Ho_Chi_Minh",
        lambdaMemoryMb: "1769",
        logRetentionDays: "14",
        alarmEmail: "ops@example.com",
        allowPaidBroadcast: "true",
        reserveBroadcastConcurrency: "true",
        tags: '{"team":"support","cost-center":"42"}',
        supportChatId: "-1001234567890",
        inboxRetentionDays: "30",
        forgetBlockedAfterDays: "365",
      }),
      "prod",
    );
    expect(config).toMatchObject({
      adminUserIds: [1, 2, 3],
      recommendationSchedule: "rate(1 hour)",
      scheduleTimezone: "Asia/Ho_Chi_Minh",
      lambdaMemoryMb: 1769,
      logRetentionDays: 14,
      alarmEmail: "ops@example.com",
      allowPaidBroadcast: true,
      reserveBroadcastConcurrency: true,
      tags: { team: "support", "cost-center": "42" },
      supportChatId: -1001234567890,
      inboxRetentionDays: 30,
      forgetBlockedAfterDays: 365,
    });
  });
});
