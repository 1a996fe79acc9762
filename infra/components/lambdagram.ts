/**
 * The whole stack as one component: table, secrets, queue, functions, HTTP API, schedule, Telegram
 * registration and monitoring, wired by the names in contracts/. infra/index.ts only reads the config and
 * exports this component's outputs; tests build it directly with other arguments.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import {
  allowedUpdates,
  bundleFiles,
  env,
  type FunctionName,
  functions,
  routes,
} from "../../contracts/runtime";
import type { StackConfig } from "../config";
import { BroadcastQueue, broadcastThroughput } from "./broadcast-queue";
import { BotFunction, functionAccess, functionTimeoutSeconds, type ParameterName } from "./functions";
import { HttpApi } from "./http-api";
import { Monitoring } from "./monitoring";
import { RecommendationSchedule } from "./schedule";
import { BotSecrets } from "./secrets";
import { DataTable } from "./table";
import { type CommandSet, TelegramBotInfo, WebhookRegistration } from "./webhook-registration";

/** Arguments of {@link Lambdagram}: the validated stack config plus where things go. */
export interface LambdagramArgs extends StackConfig {
  /** Folder of the built bundles (`dist/` by default; see scripts/build.ts). */
  distDir: string;
  /** Prefix of SSM parameter and log group names, e.g. `/lambdagram/prod`. */
  namePrefix: string;
  /** Name of the CloudWatch dashboard, e.g. `lambdagram-prod`. */
  dashboardName: string;
  /** Bot API root for the deploy-time Telegram calls (tests point it elsewhere). */
  telegramApiRoot?: string;
  /** The command menus registered with setMyCommands, from the content pack. */
  commands: CommandSet[];
}

/**
 * Thrown when the stack's default tier is NLP but the webhook bundle has no model: the bot would silently
 * answer with rules only. A `RunError`, so `pulumi up` prints just the fix.
 */
export class MissingModelError extends pulumi.RunError {
  constructor(readonly modelPath: string) {
    super(
      `defaultMode is "nlp" but ${modelPath} does not exist, so the bot would fall back to rules without a word. ` +
        "Run `npm run nlp:train && npm run build` (or `npm run deploy`, which does both), or " +
        "`pulumi config set defaultMode rules`.",
    );
    this.name = "MissingModelError";
  }
}

/** AWS resource types that take `tags` and that this program creates; {@link tagResources} tags them. */
export const taggableTypes = new Set([
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:dynamodb/table:Table",
  "aws:iam/role:Role",
  "aws:lambda/function:Function",
  "aws:sqs/queue:Queue",
  "aws:sns/topic:Topic",
  "aws:ssm/parameter:Parameter",
  "aws:apigatewayv2/api:Api",
  "aws:apigatewayv2/stage:Stage",
]);

/**
 * A transformation that tags every taggable resource of the stack, so the bot's costs and resources can be
 * found by tag (Cost Explorer, Resource Groups). Tags the resource sets itself win.
 */
export function tagResources(tags: Record<string, string>): pulumi.ResourceTransformation {
  return ({ type, props, opts }) =>
    taggableTypes.has(type)
      ? {
          props: { ...props, tags: { ...tags, ...(props.tags as Record<string, string> | undefined) } },
          opts,
        }
      : undefined;
}

const parameterEnv: Record<ParameterName, string> = {
  botToken: env.botTokenParameter,
  webhookSecret: env.webhookSecretParameter,
  adminToken: env.adminTokenParameter,
};

/** The deployed bot. */
export class Lambdagram extends pulumi.ComponentResource {
  readonly webhookUrl: pulumi.Output<string>;
  readonly adminApiUrl: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
  readonly adminApiToken: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;

  constructor(name: string, args: LambdagramArgs, opts?: pulumi.ComponentResourceOptions) {
    super(
      "lambdagram:index:Lambdagram",
      name,
      {},
      {
        ...opts,
        transformations: [
          ...(opts?.transformations ?? []),
          tagResources({ "lambdagram:project": name, ...args.tags }),
        ],
      },
    );
    const parent = { parent: this };
    const modelPath = path.join(args.distDir, "webhook", bundleFiles.model);
    if (
      args.defaultMode === "nlp" &&
      existsSync(path.join(args.distDir, "webhook")) &&
      !existsSync(modelPath)
    )
      throw new MissingModelError(modelPath);

    const table = new DataTable(`${name}-table`, { deletionProtection: args.deletionProtection }, parent);
    const secrets = new BotSecrets(
      `${name}-secrets`,
      { telegramBotToken: args.telegramBotToken, parameterPrefix: args.namePrefix },
      parent,
    );
    const queue = new BroadcastQueue(
      `${name}-broadcasts`,
      { workerTimeoutSeconds: functionTimeoutSeconds.broadcastWorker },
      parent,
    );
    const botInfo = new TelegramBotInfo(
      `${name}-bot-info`,
      { token: secrets.botTokenValue, ...(args.telegramApiRoot ? { apiRoot: args.telegramApiRoot } : {}) },
      parent,
    );
    const throughput = broadcastThroughput(args.allowPaidBroadcast);

    const parameters = {
      botToken: secrets.botToken,
      webhookSecret: secrets.webhookSecret,
      adminToken: secrets.adminToken,
    };
    const environmentOf = (fn: FunctionName): pulumi.Input<Record<string, pulumi.Input<string>>> => {
      const variables: Record<string, pulumi.Input<string>> = {
        [env.tableName]: table.name,
        [env.logLevel]: "info",
        // Not read by the handlers: a rotated secret changes it, so Lambda replaces warm environments.
        SECRETS_VERSION: secrets.version,
      };
      for (const parameter of functionAccess[fn].parameters)
        variables[parameterEnv[parameter]] = parameters[parameter].name;
      if (functionAccess[fn].parameters.includes("botToken")) variables[env.botInfo] = botInfo.botInfo;
      if (functionAccess[fn].sendsBroadcasts) variables[env.broadcastQueueUrl] = queue.url;
      if (fn === "webhook") {
        variables[env.adminUserIds] = args.adminUserIds.join(",");
        variables[env.defaultMode] = args.defaultMode;
      }
      // The webhook hands users over to the support chat; the blocked-user sweep (recommendations) erases their
      // staff replies saved with that chat's state, as /forget does.
      if ((fn === "webhook" || fn === "recommendations") && args.supportChatId !== undefined)
        variables[env.supportChatId] = String(args.supportChatId);
      if (fn === "webhook" || fn === "adminApi")
        variables[env.inboxRetentionDays] = String(args.inboxRetentionDays);
      if (fn === "webhook" || fn === "recommendations")
        variables[env.forgetBlockedAfterDays] = String(args.forgetBlockedAfterDays);
      if (fn === "webhook" || fn === "recommendations")
        variables[env.scheduleTimezone] = args.scheduleTimezone;
      if (fn === "broadcastWorker" || fn === "recommendations" || fn === "adminApi" || fn === "webhook") {
        // The total rate; each worker takes total / concurrency (contracts/broadcast-rates.ts).
        variables[env.broadcastRatePerSecond] = String(throughput.totalPerSecond);
        variables[env.allowPaidBroadcast] = String(args.allowPaidBroadcast);
      }
      return variables;
    };

    const fns = Object.fromEntries(
      (Object.keys(functions) as FunctionName[]).map((fn) => [
        fn,
        new BotFunction(
          `${name}-${fn}`,
          {
            function: fn,
            distDir: args.distDir,
            logGroupName: `${args.namePrefix}/${fn}`,
            logRetentionDays: args.logRetentionDays,
            memoryMb: args.lambdaMemoryMb,
            environment: environmentOf(fn),
            access: functionAccess[fn],
            table: { arn: table.arn, indexArns: table.indexArns },
            broadcastQueueArn: queue.arn,
            parameters,
            // Opt-in: a reservation fails on accounts with a low concurrency quota after the function exists,
            // leaving the stack half deployed; the event source's maximumConcurrency caps the workers anyway.
            ...(fn === "broadcastWorker" && args.reserveBroadcastConcurrency
              ? { reservedConcurrency: throughput.concurrency }
              : {}),
          },
          parent,
        ),
      ]),
    ) as Record<FunctionName, BotFunction>;

    queue.subscribe(fns.broadcastWorker, throughput.concurrency);
    // A long broadcast is an SQS -> worker -> same queue chain (each part queues the next). Once trace headers
    // travel (the SDK sends them), Lambda's recursive-loop detection would stop it after ~16 hops.
    new lambda.FunctionRecursionConfig(
      `${name}-broadcastWorker-recursion`,
      { functionName: fns.broadcastWorker.functionName, recursiveLoop: "Allow" },
      parent,
    );

    const api = new HttpApi(
      `${name}-api`,
      {
        targets: Object.fromEntries(routes.map((route) => [route.function, fns[route.function]])),
        accessLogGroupName: `${args.namePrefix}/api-access`,
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );

    const schedule = new RecommendationSchedule(
      `${name}-schedule`,
      {
        scheduleExpression: args.recommendationSchedule,
        timezone: args.scheduleTimezone,
        functionArn: fns.recommendations.arn,
        functionName: fns.recommendations.functionName,
        functionRoleName: fns.recommendations.roleName,
      },
      parent,
    );

    this.webhookUrl = pulumi.interpolate`${api.endpoint}${routePath("webhook")}`;
    new WebhookRegistration(
      `${name}-webhook`,
      {
        token: secrets.botTokenValue,
        url: this.webhookUrl,
        secretToken: secrets.webhookSecretValue,
        allowedUpdates: [...allowedUpdates],
        commands: args.commands,
        ...(args.telegramApiRoot ? { apiRoot: args.telegramApiRoot } : {}),
      },
      // Register only once the function can answer: an update arriving earlier would be retried anyway.
      { parent: this, dependsOn: [fns.webhook, api] },
    );

    const monitoring = new Monitoring(
      `${name}-monitoring`,
      {
        functions: fns,
        apiId: api.apiId,
        deadLetterQueues: [
          { label: "broadcasts", queueName: queue.deadLetterQueueName },
          { label: "recommendations", queueName: schedule.deadLetterQueueName },
        ],
        // Broadcast parts are queued a page at a time and retried within 15 minutes at most (a lease, a 429's
        // retry_after); an hour's tips are queued at once. A job an hour old means no worker is taking them, or
        // more tips are due in one hour than the rate sends in an hour (spread the tip hours, or pay for speed).
        workQueues: [{ label: "broadcasts", queueName: queue.name, maxAgeSeconds: 3600 }],
        dashboardName: args.dashboardName,
        ...(args.alarmEmail === undefined ? {} : { alarmEmail: args.alarmEmail }),
      },
      parent,
    );

    this.adminApiUrl = pulumi.interpolate`${api.endpoint}/admin`;
    this.tableName = table.name;
    this.dashboardUrl = monitoring.dashboardUrl;
    this.adminApiToken = secrets.adminTokenValue;
    this.alarmTopicArn = monitoring.topicArn;
    this.registerOutputs({
      webhookUrl: this.webhookUrl,
      adminApiUrl: this.adminApiUrl,
      tableName: this.tableName,
      dashboardUrl: this.dashboardUrl,
    });
  }
}

function routePath(fn: FunctionName): string {
  const route = routes.find((candidate) => candidate.function === fn);
  if (!route) throw new Error(`No route in contracts/runtime.ts invokes "${fn}".`);
  return route.routeKey.split(" ")[1] ?? "/";
}
