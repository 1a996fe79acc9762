/**
 * The whole Pulumi program (infra/index.ts) under mocks, as `pulumi up` on a "prod" stack would build it:
 * every route reaches its function, IAM names specific actions on specific ARNs, logs are retained,
 * the schedule retries into a DLQ, secrets stay secret, and the timeout chain holds.
 */
import * as pulumi from "@pulumi/pulumi";
import { metricNames, metricsNamespace } from "../../contracts/metrics";
import { allowedUpdates, env, type FunctionName, functions, routes, timeouts } from "../../contracts/runtime";
import { createTableInput, tableDefinition } from "../../contracts/table";
import {
  baseConfig,
  installMocks,
  isWrappedSecret,
  type RecordedResource,
  resolved,
  setStackConfig,
  settle,
  stubDist,
} from "./pulumi-mocks";

const program = installMocks({ stack: "prod" });
let stack: typeof import("../../infra/index");
let functionAccess: typeof import("../../infra/components/functions").functionAccess;
let broadcastThroughput: typeof import("../../infra/components/broadcast-queue").broadcastThroughput;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}
const policyOf = (resource: RecordedResource): Statement[] => JSON.parse(resource.inputs.policy).Statement;
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

const lambdas = () => program.ofType("aws:lambda/function:Function");
/** The Lambda function built for a contract function name. */
function lambdaFor(fn: FunctionName): RecordedResource {
  const found = lambdas().find((resource) => resource.name === `lambdagram-${fn}`);
  if (!found) throw new Error(`no Lambda function for ${fn}`);
  return found;
}
/** The inline policies attached to the role a function runs as. */
function policiesOfRole(roleArn: string): RecordedResource[] {
  const role = program.ofType("aws:iam/role:Role").find((resource) => resource.state.arn === roleArn);
  if (!role) throw new Error(`no role ${roleArn}`);
  return program
    .ofType("aws:iam/rolePolicy:RolePolicy")
    .filter((policy) => policy.inputs.role === `${role.name}-id` || policy.inputs.role === role.state.name);
}
/** `*` in an execute-api source ARN matches any characters, as in IAM. */
function arnPatternMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return regex.test(arn);
}

beforeAll(async () => {
  setStackConfig(baseConfig, ["telegramBotToken"]);
  process.env.LAMBDAGRAM_DIST_DIR = stubDist();
  stack = await import("../../infra/index");
  ({ functionAccess } = await import("../../infra/components/functions"));
  ({ broadcastThroughput } = await import("../../infra/components/broadcast-queue"));
  await resolved(stack.dashboardUrl);
  await settle(program);
});

describe("stack outputs", () => {
  test("exports the webhook URL, admin API URL, table name and dashboard URL", async () => {
    const endpoint = program.ofType("aws:apigatewayv2/api:Api")[0]?.state.apiEndpoint;
    expect(await resolved(stack.webhookUrl)).toBe(`${endpoint}/telegram/webhook`);
    expect(await resolved(stack.adminApiUrl)).toBe(`${endpoint}/admin`);
    expect(await resolved(stack.tableName)).toBe(program.ofType("aws:dynamodb/table:Table")[0]?.state.name);
    expect(await resolved(stack.dashboardUrl)).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=lambdagram-prod",
    );
  });
});

describe("HTTP API", () => {
  test("every contract route reaches its function through a Lambda proxy integration", () => {
    for (const route of routes) {
      const resource = program
        .ofType("aws:apigatewayv2/route:Route")
        .find((r) => r.inputs.routeKey === route.routeKey);
      expect(resource).toBeDefined();
      const integration = program
        .ofType("aws:apigatewayv2/integration:Integration")
        .find((candidate) => resource?.inputs.target === `integrations/${candidate.name}-id`);
      expect(integration?.inputs).toMatchObject({
        integrationType: "AWS_PROXY",
        payloadFormatVersion: "2.0",
        integrationUri: lambdaFor(route.function).state.arn,
      });
    }
  });

  test("each route has a lambda.Permission whose source ARN matches that method and path only", () => {
    const executionArn = program.ofType("aws:apigatewayv2/api:Api")[0]?.state.executionArn as string;
    const permissions = program.ofType("aws:lambda/permission:Permission");
    for (const route of routes) {
      const [method, path] = route.routeKey.split(" ") as [string, string];
      const requestArn = `${executionArn}/$default/${method}${path.replace("{id}", "b-123")}`;
      const matching = permissions.filter(
        (permission) =>
          permission.inputs.function === lambdaFor(route.function).state.name &&
          permission.inputs.principal === "apigateway.amazonaws.com" &&
          arnPatternMatches(permission.inputs.sourceArn, requestArn),
      );
      expect(matching).toHaveLength(1);
      // ...and not another method on the same path.
      const otherMethod = requestArn.replace(`/${method}/`, method === "GET" ? "/DELETE/" : "/GET/");
      expect(matching.some((permission) => arnPatternMatches(permission.inputs.sourceArn, otherMethod))).toBe(
        false,
      );
    }
    expect(permissions).toHaveLength(routes.length);
  });

  test("the stage throttles requests (admin routes harder) and writes access logs to a retained log group", () => {
    const stage = program.ofType("aws:apigatewayv2/stage:Stage")[0];
    expect(stage?.inputs).toMatchObject({ name: "$default", autoDeploy: true });
    expect(stage?.inputs.defaultRouteSettings.throttlingRateLimit).toBeGreaterThan(0);
    expect(stage?.inputs.defaultRouteSettings.throttlingBurstLimit).toBeGreaterThan(0);
    const adminRoutes = routes
      .filter((route) => route.function === "adminApi")
      .map((route) => route.routeKey);
    expect(
      stage?.inputs.routeSettings.map((setting: { routeKey: string }) => setting.routeKey).sort(),
    ).toEqual([...adminRoutes].sort());
    for (const setting of stage?.inputs.routeSettings ?? []) {
      expect(setting.throttlingRateLimit).toBeLessThan(
        stage?.inputs.defaultRouteSettings.throttlingRateLimit,
      );
    }
    const accessLogGroup = program
      .ofType("aws:cloudwatch/logGroup:LogGroup")
      .find((group) => group.state.arn === stage?.inputs.accessLogSettings.destinationArn);
    expect(accessLogGroup?.inputs.retentionInDays).toBe(30);
    const format = JSON.parse(stage?.inputs.accessLogSettings.format);
    expect(format).toMatchObject({ requestId: "$context.requestId", status: "$context.status" });
    expect(JSON.stringify(format)).not.toMatch(/header|body|querystring/i);
  });
});

describe("Lambda functions", () => {
  test("every contract function is deployed: Node.js 22 on arm64, index.handler from its bundle folder", async () => {
    expect(
      lambdas()
        .map((fn) => fn.name)
        .sort(),
    ).toEqual(
      Object.keys(functions)
        .map((fn) => `lambdagram-${fn}`)
        .sort(),
    );
    for (const fn of Object.keys(functions) as FunctionName[]) {
      const lambda = lambdaFor(fn);
      expect(lambda.inputs).toMatchObject({
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: functions[fn].handler,
      });
      expect(await (lambda.rawInputs.code as { path: Promise<string> }).path).toBe(
        `${process.env.LAMBDAGRAM_DIST_DIR}/${fn}`,
      );
      expect(lambda.inputs.memorySize).toBe(512);
      // No --enable-source-maps: it parses the map at every cold start; the bundles map stack traces lazily.
      expect(lambda.inputs.environment.variables.NODE_OPTIONS).toBeUndefined();
      // Rotating a secret bumps a parameter version, which changes this and recycles warm environments.
      expect(lambda.inputs.environment.variables.SECRETS_VERSION).toBe("1.1.1");
    }
  });

  test("every function has its own log group with retention, and may write only there", () => {
    const groups = program.ofType("aws:cloudwatch/logGroup:LogGroup");
    const seen = new Set<string>();
    for (const lambda of lambdas()) {
      const group = groups.find(
        (candidate) => candidate.inputs.name === lambda.inputs.loggingConfig.logGroup,
      );
      expect(group?.inputs.retentionInDays).toBe(30);
      expect(seen.has(group?.inputs.name)).toBe(false);
      seen.add(group?.inputs.name);
      const logStatements = policiesOfRole(lambda.inputs.role)
        .flatMap(policyOf)
        .filter((statement) => list(statement.Action).some((action) => action.startsWith("logs:")));
      expect(logStatements.flatMap((statement) => list(statement.Resource))).toEqual([
        group?.state.arn,
        `${group?.state.arn}:log-stream:*`,
      ]);
    }
  });

  test("every function runs as its own role", () => {
    const roles = lambdas().map((lambda) => lambda.inputs.role);
    expect(new Set(roles).size).toBe(roles.length);
  });

  test("every IAM policy names specific actions on specific ARNs (`*` only for GetMetricData, which takes no other)", () => {
    const policies = program.ofType("aws:iam/rolePolicy:RolePolicy");
    expect(policies.length).toBeGreaterThanOrEqual(lambdas().length);
    for (const policy of policies) {
      for (const statement of policyOf(policy)) {
        expect(statement.Effect).toBe("Allow");
        for (const action of list(statement.Action)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        // cloudwatch:GetMetricData supports no resource-level permissions: "*" is its only resource.
        if (list(statement.Action).join() === "cloudwatch:GetMetricData") {
          expect(list(statement.Resource)).toEqual(["*"]);
          continue;
        }
        for (const resource of list(statement.Resource)) {
          expect(resource).toMatch(/^arn:aws:/);
          if (list(statement.Action).some((action) => /^(dynamodb|sqs|ssm|lambda):/.test(action))) {
            expect(resource).not.toContain("*");
          }
        }
      }
    }
  });

  test("each function's policy grants exactly what functionAccess says its handler uses", () => {
    const table = program.ofType("aws:dynamodb/table:Table")[0];
    const queue = program.ofType("aws:sqs/queue:Queue").find((q) => q.name === "lambdagram-broadcasts");
    const parameterArn = (id: string) =>
      program.ofType("aws:ssm/parameter:Parameter").find((p) => p.inputs.name === `/lambdagram/prod/${id}`)
        ?.state.arn;
    const parameterIds = {
      botToken: "telegram-bot-token",
      webhookSecret: "webhook-secret",
      adminToken: "admin-api-token",
    };
    for (const fn of Object.keys(functions) as FunctionName[]) {
      const access = functionAccess[fn];
      const statements = policiesOfRole(lambdaFor(fn).inputs.role).flatMap(policyOf);
      const grants = (arn: string) =>
        statements
          .filter((statement) => list(statement.Resource).includes(arn))
          .flatMap((statement) => list(statement.Action))
          .sort();
      expect(grants(table?.state.arn)).toEqual([...access.tableActions].sort());
      for (const index of tableDefinition.globalSecondaryIndexes) {
        expect(grants(`${table?.state.arn}/index/${index.name}`)).toEqual(
          (access.indexes as readonly string[]).includes(index.name) ? ["dynamodb:Query"] : [],
        );
      }
      const queueActions = [
        ...(access.sendsBroadcasts ? ["sqs:SendMessage"] : []),
        ...(access.consumesBroadcasts
          ? ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
          : []),
      ].sort();
      expect(grants(queue?.state.arn)).toEqual(queueActions);
      for (const [parameter, id] of Object.entries(parameterIds)) {
        const expected = (access.parameters as readonly string[]).includes(parameter)
          ? ["ssm:GetParameters"]
          : [];
        expect(grants(parameterArn(id))).toEqual(expected);
      }
      expect(grants("*")).toEqual(access.readsMetrics ? ["cloudwatch:GetMetricData"] : []);
    }
  });

  test("environment variables carry names only: no token, secret or admin token value", async () => {
    const secretValues = [
      baseConfig.telegramBotToken,
      ...program
        .ofType("pulumi-nodejs:dynamic/lambdagram:RandomToken")
        .map((token) => token.state.value as string),
    ];
    for (const fn of Object.keys(functions) as FunctionName[]) {
      const variables: Record<string, string> = lambdaFor(fn).inputs.environment.variables;
      for (const value of Object.values(variables))
        for (const secret of secretValues) expect(value).not.toContain(secret);
      expect(variables).not.toHaveProperty(env.botToken);
      expect(variables).not.toHaveProperty(env.webhookSecret);
      expect(variables).not.toHaveProperty(env.adminApiToken);
      expect(variables[env.tableName]).toBe(program.ofType("aws:dynamodb/table:Table")[0]?.state.name);
      for (const parameter of functionAccess[fn].parameters) {
        const name = {
          botToken: env.botTokenParameter,
          webhookSecret: env.webhookSecretParameter,
          adminToken: env.adminTokenParameter,
        }[parameter];
        expect(variables[name]).toMatch(/^\/lambdagram\/prod\//);
      }
    }
    const webhook = lambdaFor("webhook").inputs.environment.variables;
    expect(webhook).toMatchObject({
      [env.adminUserIds]: "1001,1002",
      [env.defaultMode]: "nlp",
      [env.scheduleTimezone]: "UTC",
      [env.inboxRetentionDays]: "90",
      [env.forgetBlockedAfterDays]: "180",
    });
    // No support group configured: the webhook offers no human handoff.
    expect(webhook).not.toHaveProperty(env.supportChatId);
    expect(lambdaFor("recommendations").inputs.environment.variables).toMatchObject({
      [env.forgetBlockedAfterDays]: "180",
    });
    expect(JSON.parse(webhook[env.botInfo])).toMatchObject({ is_bot: true, username: "lambdagram_bot" });
  });
});

describe("tags", () => {
  test("every taggable resource names its project and stack", async () => {
    const { taggableTypes } = await import("../../infra/components/lambdagram");
    const tagged = program.resources.filter((resource) => taggableTypes.has(resource.type));
    expect(new Set(tagged.map((resource) => resource.type)).size).toBeGreaterThanOrEqual(8);
    for (const resource of tagged)
      expect(resource.inputs.tags).toMatchObject({
        "lambdagram:project": "lambdagram",
        "lambdagram:stack": "prod",
      });
  });
});

describe("least privilege", () => {
  test("the recommendations function, which only plans, cannot read the bot token", () => {
    expect(functionAccess.recommendations.parameters).toEqual([]);
    const statements = policiesOfRole(lambdaFor("recommendations").inputs.role).flatMap(policyOf);
    expect(
      statements.flatMap((statement) => list(statement.Action)).filter((a) => a.startsWith("ssm:")),
    ).toEqual([]);
    expect(lambdaFor("recommendations").inputs.environment.variables).not.toHaveProperty(
      env.botTokenParameter,
    );
  });
});

describe("timeouts", () => {
  test("grammY's webhook timeout < the webhook Lambda's timeout < API Gateway's integration timeout <= 30 s", () => {
    const lambdaMs = lambdaFor("webhook").inputs.timeout * 1000;
    const integrationMs = program
      .ofType("aws:apigatewayv2/integration:Integration")
      .find((integration) => integration.inputs.integrationUri === lambdaFor("webhook").state.arn)
      ?.inputs.timeoutMilliseconds;
    expect(timeouts.grammyWebhookMs).toBeLessThan(lambdaMs);
    expect(lambdaMs).toBeLessThan(integrationMs);
    expect(integrationMs).toBeLessThanOrEqual(30_000);
  });

  test("every API function answers before API Gateway gives up", () => {
    for (const integration of program.ofType("aws:apigatewayv2/integration:Integration")) {
      const lambda = lambdas().find((fn) => fn.state.arn === integration.inputs.integrationUri);
      expect((lambda?.inputs.timeout ?? Number.POSITIVE_INFINITY) * 1000).toBeLessThan(
        integration.inputs.timeoutMilliseconds,
      );
    }
  });

  test("the broadcast queue hides a message for 6 x the worker timeout, as AWS advises for Lambda consumers", () => {
    const queue = program.ofType("aws:sqs/queue:Queue").find((q) => q.name === "lambdagram-broadcasts");
    expect(queue?.inputs.visibilityTimeoutSeconds).toBe(6 * lambdaFor("broadcastWorker").inputs.timeout);
  });
});

describe("recommendations schedule", () => {
  const schedule = () => program.ofType("aws:scheduler/schedule:Schedule")[0];

  test("runs the default hourly cron in its time zone and targets the recommendations function", () => {
    expect(schedule()?.inputs).toMatchObject({
      scheduleExpression: "cron(0 * * * ? *)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
    });
    expect(schedule()?.inputs.target.arn).toBe(lambdaFor("recommendations").state.arn);
  });

  test("has a retry policy and a dead-letter queue", () => {
    const target = schedule()?.inputs.target;
    expect(target.retryPolicy.maximumRetryAttempts).toBeGreaterThan(0);
    expect(target.retryPolicy.maximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
    const dlq = program
      .ofType("aws:sqs/queue:Queue")
      .find((queue) => queue.state.arn === target.deadLetterConfig.arn);
    expect(dlq?.name).toBe("lambdagram-schedule-dlq");
  });

  test("its role may invoke only the recommendations function and write only to its DLQ", () => {
    const target = schedule()?.inputs.target;
    const statements = policiesOfRole(target.roleArn).flatMap(policyOf);
    expect(statements.map((s) => [list(s.Action), list(s.Resource)])).toEqual([
      [["lambda:InvokeFunction"], [lambdaFor("recommendations").state.arn]],
      [["sqs:SendMessage"], [target.deadLetterConfig.arn]],
    ]);
  });

  test("invocations that still fail after Lambda's async retries land in the same DLQ", () => {
    const config = program.ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")[0];
    expect(config?.inputs.functionName).toBe(lambdaFor("recommendations").state.name);
    expect(config?.inputs.destinationConfig.onFailure.destination).toBe(
      schedule()?.inputs.target.deadLetterConfig.arn,
    );
  });
});

describe("broadcast queue", () => {
  test("the worker consumes it with ReportBatchItemFailures, at the concurrency the rate needs", () => {
    const mapping = program.ofType("aws:lambda/eventSourceMapping:EventSourceMapping")[0];
    const queue = program.ofType("aws:sqs/queue:Queue").find((q) => q.name === "lambdagram-broadcasts");
    const worker = lambdaFor("broadcastWorker");
    const expected = broadcastThroughput(false);
    expect(mapping?.inputs).toMatchObject({
      eventSourceArn: queue?.state.arn,
      functionName: worker.state.arn,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: expected.concurrency },
    });
    expect(mapping?.inputs.batchSize).toBe(1);
    // No reservation by default: it fails half way on accounts with a low concurrency quota.
    expect(worker.inputs.reservedConcurrentExecutions).toBeUndefined();
    // The variable carries the total; each of the `concurrency` workers sends total / concurrency.
    expect(Number(worker.inputs.environment.variables[env.broadcastRatePerSecond])).toBe(
      expected.totalPerSecond,
    );
    expect(expected.perWorkerPerSecond * expected.concurrency).toBeCloseTo(expected.totalPerSecond);
  });

  test("the worker may queue its own next part: Lambda's recursive-loop detection does not stop long broadcasts", () => {
    const recursion = program.ofType("aws:lambda/functionRecursionConfig:FunctionRecursionConfig");
    expect(recursion.map((config) => config.inputs)).toEqual([
      { functionName: lambdaFor("broadcastWorker").state.name, recursiveLoop: "Allow" },
    ]);
  });

  test("an alarm fires when a broadcast or tip job has waited an hour", () => {
    const queue = program.ofType("aws:sqs/queue:Queue").find((q) => q.name === "lambdagram-broadcasts");
    const age = program
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((alarm) => alarm.inputs.metricName === "ApproximateAgeOfOldestMessage");
    expect(age.map((alarm) => alarm.inputs)).toEqual([
      expect.objectContaining({
        namespace: "AWS/SQS",
        dimensions: { QueueName: queue?.state.name },
        statistic: "Maximum",
        threshold: 3600,
      }),
    ]);
  });

  test("poison messages go to its dead-letter queue", () => {
    const queue = program.ofType("aws:sqs/queue:Queue").find((q) => q.name === "lambdagram-broadcasts");
    const dlq = program.ofType("aws:sqs/queue:Queue").find((q) => q.name === "lambdagram-broadcasts-dlq");
    expect(JSON.parse(queue?.inputs.redrivePolicy)).toEqual({
      deadLetterTargetArn: dlq?.state.arn,
      maxReceiveCount: 5,
    });
  });
});

describe("secrets", () => {
  test("the bot token, webhook secret and admin token are SecureStrings whose values reach the engine as secrets", () => {
    const parameters = program.ofType("aws:ssm/parameter:Parameter");
    expect(parameters.map((p) => p.inputs.name).sort()).toEqual([
      "/lambdagram/prod/admin-api-token",
      "/lambdagram/prod/telegram-bot-token",
      "/lambdagram/prod/webhook-secret",
    ]);
    for (const parameter of parameters) {
      expect(parameter.inputs.type).toBe("SecureString");
      expect(isWrappedSecret(parameter.rawInputs.value)).toBe(true);
    }
    expect(parameters.find((p) => p.inputs.name.endsWith("telegram-bot-token"))?.inputs.value).toBe(
      baseConfig.telegramBotToken,
    );
  });

  test("the generated tokens are secret outputs of a resource that generates them once", async () => {
    const tokens = program.ofType("pulumi-nodejs:dynamic/lambdagram:RandomToken");
    expect(tokens.map((token) => token.name).sort()).toEqual([
      "lambdagram-secrets-admin-token",
      "lambdagram-secrets-webhook-secret",
    ]);
    expect(await pulumi.isSecret(stack.adminApiToken)).toBe(true);
  });

  test("the Telegram registration receives the token and the secret token as secrets", () => {
    const registration = program.ofType("pulumi-nodejs:dynamic/lambdagram:WebhookRegistration")[0];
    expect(isWrappedSecret(registration?.rawInputs.token)).toBe(true);
    expect(isWrappedSecret(registration?.rawInputs.secretToken)).toBe(true);
    const botInfo = program.ofType("pulumi-nodejs:dynamic/lambdagram:TelegramBotInfo")[0];
    expect(isWrappedSecret(botInfo?.rawInputs.token)).toBe(true);
  });

  test("no plain-text copy of the bot token appears in any resource's inputs", () => {
    for (const resource of program.resources) {
      const plain = JSON.stringify(resource.rawInputs, (_key, value) =>
        isWrappedSecret(value) ? "[secret]" : value,
      );
      expect(plain).not.toContain(baseConfig.telegramBotToken);
    }
  });
});

describe("Telegram registration", () => {
  test("setWebhook gets the webhook URL, the generated secret, the contract's allowed updates and max connections", async () => {
    const registration = program.ofType("pulumi-nodejs:dynamic/lambdagram:WebhookRegistration")[0];
    const webhookSecret = program
      .ofType("pulumi-nodejs:dynamic/lambdagram:RandomToken")
      .find((t) => t.name.endsWith("webhook-secret"));
    expect(registration?.inputs).toMatchObject({
      token: baseConfig.telegramBotToken,
      url: await resolved(stack.webhookUrl),
      secretToken: webhookSecret?.state.value,
      allowedUpdates: [...allowedUpdates],
      maxConnections: 40,
      apiRoot: "https://api.telegram.org",
    });
  });

  test("the command menu covers the eleven commands in English (default), Vietnamese and Chinese, texts from content", () => {
    const registration = program.ofType("pulumi-nodejs:dynamic/lambdagram:WebhookRegistration")[0];
    const sets: { languageCode?: string; commands: { command: string }[] }[] = registration?.inputs.commands;
    expect(sets.map((set) => set.languageCode ?? "default")).toEqual(["default", "vi", "zh"]);
    for (const set of sets) {
      expect(set.commands.map((c) => c.command)).toEqual([
        "start",
        "help",
        "ask",
        "questionnaire",
        "subscribe",
        "unsubscribe",
        "language",
        "mode",
        "cancel",
        "privacy",
        "forget",
      ]);
    }
    expect(sets[1]?.commands[0]).toEqual({ command: "start", description: "Bắt đầu và xem menu" });
  });
});

describe("DynamoDB table", () => {
  test("uses the keys and indexes of contracts/table.ts, like the local stack", () => {
    const table = program.ofType("aws:dynamodb/table:Table")[0];
    const local = createTableInput("local");
    expect(table?.inputs.hashKey).toBe(tableDefinition.partitionKey);
    expect(table?.inputs.rangeKey).toBe(tableDefinition.sortKey);
    expect(table?.inputs.attributes).toEqual(
      local.AttributeDefinitions.map((a) => ({ name: a.AttributeName, type: a.AttributeType })),
    );
    expect(table?.inputs.globalSecondaryIndexes).toEqual(
      local.GlobalSecondaryIndexes.map((index) => ({
        name: index.IndexName,
        keySchemas: index.KeySchema.map((key) => ({
          attributeName: key.AttributeName,
          keyType: key.KeyType,
        })),
        projectionType: index.Projection.ProjectionType,
      })),
    );
  });

  test("is on-demand, with point-in-time recovery, TTL, encryption and (outside dev) deletion protection", () => {
    expect(program.ofType("aws:dynamodb/table:Table")[0]?.inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      ttl: { attributeName: tableDefinition.ttlAttribute, enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
    });
  });
});

describe("monitoring", () => {
  test("alarms on errors and throttles of every function, both DLQs and API 5xx, all notifying the alarm topic", () => {
    const alarms = program.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    const topic = program.ofType("aws:sns/topic:Topic")[0];
    const watched = alarms.map(
      (alarm) =>
        `${alarm.inputs.namespace}:${alarm.inputs.metricName}:${Object.values(alarm.inputs.dimensions)[0]}`,
    );
    for (const lambda of lambdas()) {
      expect(watched).toContain(`AWS/Lambda:Errors:${lambda.state.name}`);
      expect(watched).toContain(`AWS/Lambda:Throttles:${lambda.state.name}`);
    }
    for (const dlq of program.ofType("aws:sqs/queue:Queue").filter((queue) => queue.name.endsWith("-dlq"))) {
      expect(watched).toContain(`AWS/SQS:ApproximateNumberOfMessagesVisible:${dlq.state.name}`);
    }
    expect(watched).toContain(`AWS/ApiGateway:5xx:${program.ofType("aws:apigatewayv2/api:Api")[0]?.name}-id`);
    for (const alarm of alarms) expect(alarm.inputs.alarmActions).toEqual([topic?.state.arn]);
  });

  test("without alarmEmail the topic has no e-mail subscription", () => {
    expect(program.ofType("aws:sns/topicSubscription:TopicSubscription")).toHaveLength(0);
  });

  test("the dashboard graphs every metric the handlers emit (contracts/metrics.ts), and only those", () => {
    const body = JSON.parse(program.ofType("aws:cloudwatch/dashboard:Dashboard")[0]?.inputs.dashboardBody);
    const graphed = new Set<string>();
    const text = JSON.stringify(body);
    for (const widget of body.widgets) {
      for (const metric of widget.properties.metrics)
        if (metric[0] === metricsNamespace) graphed.add(metric[1]);
    }
    for (const match of text.matchAll(/MetricName=\\"(\w+)\\"/g)) if (match[1]) graphed.add(match[1]);
    expect([...graphed].sort()).toEqual(Object.values(metricNames).sort());
    expect(
      body.widgets.every(
        (widget: { properties: { region: string } }) => widget.properties.region === "us-east-1",
      ),
    ).toBe(true);
  });
});
