/**
 * `npm start` reads every environment variable the Lambda handlers read (contracts/runtime.ts `env`), refuses
 * values that cannot work with the variable named, and its banner shows the settings in effect.
 */
import { env, routes } from "../../contracts/runtime";
import {
  awsOnlyVariables,
  InvalidLocalSettingError,
  localStackOptionsFrom,
  startBanner,
} from "../../local/settings";
import { startLocalStack } from "../../local/stack";

const everything = {
  PORT: "8899",
  LAMBDAGRAM_DATA_DIR: "/tmp/somewhere",
  [env.botToken]: "42:SECRET",
  [env.telegramApiRoot]: "http://127.0.0.1:9999",
  [env.webhookSecret]: "hook-secret",
  [env.adminApiToken]: "admin-token",
  [env.adminUserIds]: "7, 8",
  [env.defaultMode]: "rules",
  [env.logLevel]: "info",
  [env.broadcastRatePerSecond]: "29",
  [env.allowPaidBroadcast]: "false",
  [env.scheduleTimezone]: "Asia/Ho_Chi_Minh",
  [env.botInfo]: '{"id":42,"is_bot":true,"first_name":"B","username":"b_bot"}',
  [env.tableName]: "my-table",
  [env.dynamodbEndpoint]: "http://127.0.0.1:8000",
  [env.supportChatId]: "-1001234",
  [env.inboxRetentionDays]: "30",
  [env.forgetBlockedAfterDays]: "365",
};

describe("npm start's settings", () => {
  it("takes every variable the handlers read, or says what stands in for it locally", () => {
    const options = localStackOptionsFrom(everything);

    expect(options).toEqual({
      port: 8899,
      dataDir: "/tmp/somewhere",
      botToken: "42:SECRET",
      telegramApiRoot: "http://127.0.0.1:9999",
      webhookSecret: "hook-secret",
      adminApiToken: "admin-token",
      adminUserIds: [7, 8],
      defaultMode: "rules",
      logLevel: "info",
      broadcastRatePerSecond: 29,
      allowPaidBroadcast: false,
      scheduleTimezone: "Asia/Ho_Chi_Minh",
      botInfo: everything[env.botInfo],
      tableName: "my-table",
      dynamodbEndpoint: "http://127.0.0.1:8000",
      supportChatId: -1001234,
      inboxRetentionDays: 30,
      forgetBlockedAfterDays: 365,
    });
    const covered = new Set([...Object.keys(everything), ...Object.keys(awsOnlyVariables)]);
    expect(Object.values(env).filter((name) => !covered.has(name))).toEqual([]);
  });

  it("refuses values that cannot work, naming the variable", () => {
    expect(() => localStackOptionsFrom({ [env.defaultMode]: "smart" })).toThrow(InvalidLocalSettingError);
    expect(() => localStackOptionsFrom({ [env.defaultMode]: "smart" })).toThrow(
      /DEFAULT_MODE="smart".*"rules" or "nlp"/,
    );
    expect(() => localStackOptionsFrom({ [env.adminUserIds]: "1,abc" })).toThrow(/ADMIN_USER_IDS/);
    expect(() => localStackOptionsFrom({ [env.broadcastRatePerSecond]: "31" })).toThrow(
      /BROADCAST_RATE_PER_SECOND "31"/,
    );
    expect(() => localStackOptionsFrom({ [env.scheduleTimezone]: "Mars/Olympus" })).toThrow(
      /SCHEDULE_TIMEZONE/,
    );
    expect(() => localStackOptionsFrom({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => localStackOptionsFrom({ [env.supportChatId]: "staff" })).toThrow(/SUPPORT_CHAT_ID="staff"/);
    expect(() => localStackOptionsFrom({ [env.inboxRetentionDays]: "0" })).toThrow(/INBOX_RETENTION_DAYS/);
    expect(() => localStackOptionsFrom({ [env.forgetBlockedAfterDays]: "1.5" })).toThrow(
      /FORGET_BLOCKED_AFTER_DAYS/,
    );
  });

  it("runs the handlers with them and shows the settings in effect in the banner", async () => {
    const environment = {
      [env.broadcastRatePerSecond]: "29",
      [env.scheduleTimezone]: "Asia/Ho_Chi_Minh",
      [env.adminUserIds]: "7",
      [env.broadcastQueueUrl]: "https://sqs.example/queue",
    };
    const stack = await startLocalStack({
      ...localStackOptionsFrom(environment),
      port: 0,
      dataDir: null,
      runSchedule: false,
      logLevel: "silent",
    });
    try {
      const banner = startBanner(stack, environment, 1).join("\n");

      expect(stack.environment).toMatchObject({
        [env.broadcastRatePerSecond]: "29",
        [env.scheduleTimezone]: "Asia/Ho_Chi_Minh",
        [env.adminUserIds]: "7",
      });
      expect(banner).toContain(
        "BROADCAST_RATE_PER_SECOND=29  ALLOW_PAID_BROADCAST=false: 2 workers at 14.5/s",
      );
      expect(banner).toContain("SCHEDULE_TIMEZONE=Asia/Ho_Chi_Minh");
      // Every admin route is listed, from the same table API Gateway serves.
      for (const route of routes.filter((r) => r.function === "adminApi"))
        expect(banner).toContain(route.routeKey);
      expect(banner).toContain("DEFAULT_MODE=nlp (default)");
      expect(banner).toContain("BROADCAST_QUEUE_URL is set but ignored (the SQS queue");
      expect(banner).toContain(
        `Metrics          captured for /stats and GET ${stack.url}/admin/stats (in memory)`,
      );
    } finally {
      await stack.stop();
    }
  });
});
