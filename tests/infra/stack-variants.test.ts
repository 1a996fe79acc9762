/**
 * The stack under other configurations: a dev stack, alarm e-mail, paid broadcasts, bigger functions,
 * and the clear failure when `pulumi up` runs before `npm run build`.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadContent } from "../../content/load";
import { botCommandsFrom, type CommandSet } from "../../contracts/commands";
import type { StackConfig } from "../../infra/config";
import { installMocks, resolved, settle, stubDist } from "./pulumi-mocks";

const program = installMocks({ stack: "dev" });
let Lambdagram: typeof import("../../infra/components/lambdagram").Lambdagram;
let MissingBundleError: typeof import("../../infra/components/functions").MissingBundleError;
let broadcastThroughput: typeof import("../../infra/components/broadcast-queue").broadcastThroughput;
let MissingModelError: typeof import("../../infra/components/lambdagram").MissingModelError;
let taggableTypes: typeof import("../../infra/components/lambdagram").taggableTypes;

/** The stack config plus the command menus `infra/index.ts` derives from the content pack. */
const config = (overrides: Partial<StackConfig> = {}): StackConfig & { commands: CommandSet[] } => ({
  commands: botCommandsFrom(loadContent()),
  telegramBotToken: pulumi.secret("999:dev-token"),
  adminUserIds: [7],
  defaultMode: "rules",
  recommendationSchedule: "cron(0 8 * * ? *)",
  scheduleTimezone: "Asia/Ho_Chi_Minh",
  lambdaMemoryMb: 1024,
  logRetentionDays: 7,
  allowPaidBroadcast: false,
  deletionProtection: false,
  reserveBroadcastConcurrency: false,
  tags: {},
  inboxRetentionDays: 90,
  forgetBlockedAfterDays: 180,
  ...overrides,
});

beforeAll(async () => {
  ({ Lambdagram, MissingModelError, taggableTypes } = await import("../../infra/components/lambdagram"));
  ({ MissingBundleError } = await import("../../infra/components/functions"));
  ({ broadcastThroughput } = await import("../../infra/components/broadcast-queue"));
});

describe("a dev stack with alarm e-mail and paid broadcasts", () => {
  beforeAll(async () => {
    const app = new Lambdagram("devbot", {
      ...config({
        alarmEmail: "ops@example.com",
        allowPaidBroadcast: true,
        reserveBroadcastConcurrency: true,
        tags: { team: "support" },
        supportChatId: -1001234567890,
        inboxRetentionDays: 30,
        forgetBlockedAfterDays: 365,
      }),
      distDir: stubDist(),
      namePrefix: "/lambdagram/dev",
      dashboardName: "lambdagram-dev",
      telegramApiRoot: "http://127.0.0.1:9",
    });
    await resolved(app.dashboardUrl);
    await settle(program);
  });

  test("the table has no deletion protection, so `pulumi destroy` can remove it", () => {
    expect(program.ofType("aws:dynamodb/table:Table")[0]?.inputs.deletionProtectionEnabled).toBe(false);
  });

  test("alarmEmail subscribes that address to the alarm topic", () => {
    const subscription = program.ofType("aws:sns/topicSubscription:TopicSubscription")[0];
    expect(subscription?.inputs).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
    expect(subscription?.inputs.topic).toBe(program.ofType("aws:sns/topic:Topic")[0]?.state.arn);
  });

  test("config `tags` reach every taggable resource, beside the project tag", () => {
    const tagged = program.resources.filter((resource) => taggableTypes.has(resource.type));
    expect(tagged.length).toBeGreaterThan(10);
    for (const resource of tagged)
      expect(resource.inputs.tags).toMatchObject({ "lambdagram:project": "devbot", team: "support" });
  });

  test("paid broadcasts raise the worker's concurrency to keep up with 900 of Telegram's 1000 messages/s", () => {
    const expected = broadcastThroughput(true);
    expect(expected).toEqual({ totalPerSecond: 900, concurrency: 18, perWorkerPerSecond: 50 });
    const worker = program
      .ofType("aws:lambda/function:Function")
      .find((fn) => fn.name === "devbot-broadcastWorker");
    expect(worker?.inputs.reservedConcurrentExecutions).toBe(18);
    expect(worker?.inputs.environment.variables).toMatchObject({
      BROADCAST_RATE_PER_SECOND: "900",
      ALLOW_PAID_BROADCAST: "true",
    });
    expect(
      program.ofType("aws:lambda/eventSourceMapping:EventSourceMapping")[0]?.inputs.scalingConfig,
    ).toEqual({
      maximumConcurrency: 18,
    });
  });

  test("the support group and the retention periods reach the functions that use them", () => {
    const variablesOf = (name: string) =>
      program.ofType("aws:lambda/function:Function").find((fn) => fn.name === `devbot-${name}`)?.inputs
        .environment.variables;
    expect(variablesOf("webhook")).toMatchObject({
      SUPPORT_CHAT_ID: "-1001234567890",
      INBOX_RETENTION_DAYS: "30",
      FORGET_BLOCKED_AFTER_DAYS: "365",
    });
    expect(variablesOf("adminApi")).toMatchObject({ INBOX_RETENTION_DAYS: "30" });
    expect(variablesOf("recommendations")).toMatchObject({
      FORGET_BLOCKED_AFTER_DAYS: "365",
      SUPPORT_CHAT_ID: "-1001234567890",
    });
    expect(variablesOf("broadcastWorker")).not.toHaveProperty("SUPPORT_CHAT_ID");
  });

  test("memory, log retention, schedule and time zone follow the config", () => {
    for (const fn of program.ofType("aws:lambda/function:Function")) expect(fn.inputs.memorySize).toBe(1024);
    for (const group of program.ofType("aws:cloudwatch/logGroup:LogGroup"))
      expect(group.inputs.retentionInDays).toBe(7);
    expect(program.ofType("aws:scheduler/schedule:Schedule")[0]?.inputs).toMatchObject({
      scheduleExpression: "cron(0 8 * * ? *)",
      scheduleExpressionTimezone: "Asia/Ho_Chi_Minh",
    });
    const webhook = program.ofType("aws:lambda/function:Function").find((fn) => fn.name === "devbot-webhook");
    expect(webhook?.inputs.environment.variables).toMatchObject({
      DEFAULT_MODE: "rules",
      ADMIN_USER_IDS: "7",
    });
  });

  test("the Telegram calls go to the configured API root", () => {
    for (const type of ["WebhookRegistration", "TelegramBotInfo"]) {
      expect(program.ofType(`pulumi-nodejs:dynamic/lambdagram:${type}`)[0]?.inputs.apiRoot).toBe(
        "http://127.0.0.1:9",
      );
    }
  });
});

describe("before `npm run build`", () => {
  test("the program stops with an error that names the missing bundle and the command to build it", () => {
    const empty = path.join(stubDist(), "nowhere");
    expect(
      () =>
        new Lambdagram("unbuilt", {
          ...config(),
          distDir: empty,
          namePrefix: "/lambdagram/x",
          dashboardName: "lambdagram-x",
        }),
    ).toThrow(MissingBundleError);
    expect(
      () =>
        new Lambdagram("unbuilt2", {
          ...config(),
          distDir: empty,
          namePrefix: "/lambdagram/x",
          dashboardName: "lambdagram-x",
        }),
    ).toThrow(/dist\/?.*webhook\/index\.js does not exist .*Run `npm run build`/);
  });
});

describe("a build without the NLP model", () => {
  const without = () => stubDist({ model: false });

  test("stops a stack whose default tier is NLP, naming the commands that fix it", () => {
    const attempt = () =>
      new Lambdagram("nomodel", {
        ...config({ defaultMode: "nlp" }),
        distDir: without(),
        namePrefix: "/lambdagram/x",
        dashboardName: "lambdagram-x",
      });
    expect(attempt).toThrow(MissingModelError);
    expect(attempt).toThrow(/webhook\/model\.json does not exist.*npm run nlp:train && npm run build/);
  });

  test("is fine for a stack whose default tier is rules", () => {
    expect(
      () =>
        new Lambdagram("rulesonly", {
          ...config({ defaultMode: "rules" }),
          distDir: without(),
          namePrefix: "/lambdagram/y",
          dashboardName: "lambdagram-y",
        }),
    ).not.toThrow();
  });
});
