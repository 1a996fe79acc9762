/**
 * The four Lambda functions. Each gets its own role whose policy names only the actions its handler uses on
 * the ARNs it uses ({@link functionAccess} is the one table to edit when a handler needs more), its own log
 * group with retention, and only resource NAMES in its environment (values such as tokens come from SSM).
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import { type FunctionName, functions, timeouts } from "../../contracts/runtime";
import type { tableDefinition } from "../../contracts/table";
import type { SecretParameter } from "./secrets";

/** A global secondary index name from contracts/table.ts. */
export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]["name"];

/** The SSM parameters a handler may read. */
export type ParameterName = "botToken" | "webhookSecret" | "adminToken";

/** What one function may touch: the storage adapters' Get/Put/Update/Query, and Delete/BatchWrite where users are erased. */
export interface FunctionAccess {
  /** DynamoDB actions on the table itself. */
  tableActions: readonly (
    | "dynamodb:GetItem"
    | "dynamodb:PutItem"
    | "dynamodb:UpdateItem"
    | "dynamodb:Query"
    | "dynamodb:DeleteItem"
    | "dynamodb:BatchWriteItem"
  )[];
  /** Indexes the function Queries. */
  indexes: readonly IndexName[];
  /** sqs:SendMessage on the broadcast queue (enqueueing a broadcast, or its next page). */
  sendsBroadcasts: boolean;
  /** Receive/Delete/GetQueueAttributes on the broadcast queue (the event source mapping polls with the role). */
  consumesBroadcasts: boolean;
  /** SSM parameters read at cold start. */
  parameters: readonly ParameterName[];
  /** cloudwatch:GetMetricData (the admin's /stats and GET /admin/stats read the bot's own metrics). */
  readsMetrics: boolean;
}

/** What every function does to its chat-state, profile and record items. */
const readWrite = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"] as const;
/** What forgetting a user takes (bot/privacy/): deleting their items one by one and in batches. */
const erase = ["dynamodb:DeleteItem", "dynamodb:BatchWriteItem"] as const;

/** Least-privilege access of each function; the infra tests hold every policy to it. */
export const functionAccess: Record<FunctionName, FunctionAccess> = {
  webhook: {
    // DeleteItem and BatchWriteItem: /forget erases a user's items (bot/privacy/).
    tableActions: [...readWrite, ...erase],
    // An admin's /stats counts users (audience) and subscribers (tipsDue) with Select COUNT queries; /results
    // and /export read a questionnaire's submissions (responses).
    indexes: ["audience", "tipsDue", "responses"],
    // An admin's /broadcast from Telegram starts the job on the queue, like the admin API.
    sendsBroadcasts: true,
    consumesBroadcasts: false,
    parameters: ["botToken", "webhookSecret"],
    readsMetrics: true,
  },
  recommendations: {
    // DeleteItem and BatchWriteItem: the hourly sweep forgets users blocked for `forgetBlockedAfterDays`.
    tableActions: [...readWrite, ...erase],
    indexes: ["tipsDue", "blocked"],
    sendsBroadcasts: true, // the day's tip batches go through the broadcast workers
    consumesBroadcasts: false,
    // It only plans: the broadcast workers send the tips, so it never reads the bot token.
    parameters: [],
    readsMetrics: false,
  },
  broadcastWorker: {
    tableActions: readWrite,
    indexes: ["audience"],
    sendsBroadcasts: true, // the next page of an audience shard
    consumesBroadcasts: true,
    parameters: ["botToken"],
    readsMetrics: false,
  },
  adminApi: {
    // Query: GET /admin/inbox lists the inbox partition.
    tableActions: readWrite,
    // GET /admin/stats counts users (audience) and subscribers (tipsDue); the questionnaire routes read
    // submissions (responses).
    indexes: ["audience", "tipsDue", "responses"],
    sendsBroadcasts: true,
    consumesBroadcasts: false,
    parameters: ["adminToken"],
    readsMetrics: true,
  },
};

/** Lambda timeout of each function, from contracts/runtime.ts (the timeout chain is tested against these). */
export const functionTimeoutSeconds: Record<FunctionName, number> = {
  webhook: timeouts.webhookLambdaSeconds,
  recommendations: timeouts.recommendationsLambdaSeconds,
  broadcastWorker: timeouts.broadcastWorkerLambdaSeconds,
  adminApi: timeouts.adminApiLambdaSeconds,
};

/** Thrown when `pulumi up` runs before the bundles were built (a `RunError`: Pulumi prints no stack). */
export class MissingBundleError extends pulumi.RunError {
  constructor(
    readonly functionName: FunctionName,
    readonly bundlePath: string,
  ) {
    super(
      `The ${functionName} bundle ${bundlePath} does not exist (source: ${functions[functionName].entry}). ` +
        "Run `npm run build` (or `npm run deploy`, which builds then runs `pulumi up`) first.",
    );
    this.name = "MissingBundleError";
  }
}

/** Resolved ARNs a policy statement may name. */
export interface PolicyArns {
  logGroupArn: string;
  tableArn: string;
  indexArns: Partial<Record<IndexName, string>>;
  broadcastQueueArn: string;
  parameterArns: Partial<Record<ParameterName, string>>;
}

/** One IAM policy statement. */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
}

/** Builds the role policy of one function (pure, so tests and reviewers can read it without a deployment). */
export function functionPolicy(
  access: FunctionAccess,
  arns: PolicyArns,
): { Version: "2012-10-17"; Statement: PolicyStatement[] } {
  const statements: PolicyStatement[] = [
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [arns.logGroupArn, `${arns.logGroupArn}:log-stream:*`],
    },
  ];
  if (access.tableActions.length > 0) {
    statements.push({
      Sid: "Table",
      Effect: "Allow",
      Action: [...access.tableActions],
      Resource: [arns.tableArn],
    });
  }
  if (access.indexes.length > 0) {
    statements.push({
      Sid: "QueryIndexes",
      Effect: "Allow",
      Action: ["dynamodb:Query"],
      Resource: access.indexes.map((index) => required(arns.indexArns[index], `index ${index}`)),
    });
  }
  if (access.sendsBroadcasts) {
    statements.push({
      Sid: "EnqueueBroadcasts",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [arns.broadcastQueueArn],
    });
  }
  if (access.consumesBroadcasts) {
    statements.push({
      Sid: "ConsumeBroadcasts",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: [arns.broadcastQueueArn],
    });
  }
  if (access.parameters.length > 0) {
    // SecureStrings use the AWS managed key aws/ssm, whose key policy already lets callers in this account
    // decrypt through SSM (kms:ViaService): no kms:Decrypt statement is needed.
    statements.push({
      Sid: "ReadSecrets",
      Effect: "Allow",
      // The handlers read every secret in one GetParameters request (bot/handlers/runtime.ts `readSecrets`).
      Action: ["ssm:GetParameters"],
      Resource: access.parameters.map((parameter) =>
        required(arns.parameterArns[parameter], `parameter ${parameter}`),
      ),
    });
  }
  if (access.readsMetrics) {
    statements.push({
      Sid: "ReadMetrics",
      Effect: "Allow",
      // GetMetricData supports no resource-level permissions: "*" is the only resource it takes.
      Action: ["cloudwatch:GetMetricData"],
      Resource: ["*"],
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`No ARN for ${what}; pass it to the function's PolicyArns.`);
  return value;
}

/** Arguments of {@link BotFunction}. */
export interface BotFunctionArgs {
  function: FunctionName;
  /** Folder holding `<function>/index.js` (the output of scripts/build.ts). */
  distDir: string;
  /** Log group name, e.g. `/lambdagram/prod/webhook`. */
  logGroupName: string;
  logRetentionDays: number;
  memoryMb: number;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  access: FunctionAccess;
  table: { arn: pulumi.Input<string>; indexArns: Record<string, pulumi.Input<string>> };
  broadcastQueueArn: pulumi.Input<string>;
  parameters: Record<ParameterName, SecretParameter>;
  reservedConcurrency?: number;
}

/** One Lambda function (Node.js 22, arm64) with its role, policy and log group. */
export class BotFunction extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly invokeArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: BotFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:BotFunction", name, {}, opts);
    const parent = { parent: this };
    const bundleDir = path.join(args.distDir, args.function);
    if (!existsSync(path.join(bundleDir, "index.js"))) {
      throw new MissingBundleError(args.function, path.join(bundleDir, "index.js"));
    }

    const logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays },
      parent,
    );
    const role = new iam.Role(
      `${name}-role`,
      {
        description: `Runs the ${args.function} function`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      },
      parent,
    );
    const policy = new iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([
            logGroup.arn,
            args.table.arn,
            pulumi.output(args.table.indexArns),
            args.broadcastQueueArn,
            args.parameters.botToken.arn,
            args.parameters.webhookSecret.arn,
            args.parameters.adminToken.arn,
          ])
          .apply(
            ([logGroupArn, tableArn, indexArns, broadcastQueueArn, botToken, webhookSecret, adminToken]) =>
              JSON.stringify(
                functionPolicy(args.access, {
                  logGroupArn,
                  tableArn,
                  indexArns,
                  broadcastQueueArn,
                  parameterArns: { botToken, webhookSecret, adminToken },
                }),
              ),
          ),
      },
      parent,
    );

    const fn = new lambda.Function(
      name,
      {
        description: `Lambdagram ${args.function} (${functions[args.function].entry})`,
        role: role.arn,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: functions[args.function].handler,
        code: new pulumi.asset.FileArchive(bundleDir),
        memorySize: args.memoryMb,
        timeout: functionTimeoutSeconds[args.function],
        environment: { variables: args.environment },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        ...(args.reservedConcurrency === undefined
          ? {}
          : { reservedConcurrentExecutions: args.reservedConcurrency }),
      },
      { parent: this, dependsOn: [policy] },
    );

    this.arn = fn.arn;
    this.invokeArn = fn.invokeArn;
    this.functionName = fn.name;
    this.roleName = role.name;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ arn: this.arn, functionName: this.functionName });
  }
}
