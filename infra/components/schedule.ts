/**
 * The recommendations schedule: an EventBridge Scheduler cron with a time zone invokes the function through
 * a role that may invoke only that function; delivery retries go to an SQS dead-letter queue, and so do
 * invocations that still fail after Lambda's own asynchronous retries.
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as scheduler from "@pulumi/aws/scheduler";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";

/** Retry limits: a tip for 09:00 is pointless after 10:00, so give up within the hour it was due. */
export const scheduleRetry = { maximumRetryAttempts: 3, maximumEventAgeSeconds: 45 * 60 } as const;

/** Arguments of {@link RecommendationSchedule}. */
export interface RecommendationScheduleArgs {
  /** EventBridge Scheduler expression, e.g. `cron(0 * * * ? *)`. */
  scheduleExpression: string;
  /** IANA time zone the expression is evaluated in. */
  timezone: string;
  /** The recommendations function. */
  functionArn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  /** Its execution role: it receives sqs:SendMessage on the DLQ for Lambda's on-failure destination. */
  functionRoleName: pulumi.Input<string>;
}

/** Scheduler schedule + its role + the DLQ both the scheduler and Lambda's async retries report to. */
export class RecommendationSchedule extends pulumi.ComponentResource {
  readonly scheduleName: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: RecommendationScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:RecommendationSchedule", name, {}, opts);
    const parent = { parent: this };

    const dlq = new sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
      parent,
    );

    const role = new iam.Role(
      `${name}-role`,
      {
        description: "EventBridge Scheduler invokes the recommendations function",
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "scheduler.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:SourceAccount": getCallerIdentityOutput({}, parent).accountId },
              },
            },
          ],
        }),
      },
      parent,
    );
    const rolePolicy = new iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "InvokeRecommendations",
              Effect: "Allow",
              Action: ["lambda:InvokeFunction"],
              Resource: [args.functionArn],
            },
            { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlq.arn] },
          ],
        }),
      },
      parent,
    );

    // Lambda's asynchronous invocation: the same age limit, then the DLQ (sent with the function's role).
    const destinationPolicy = new iam.RolePolicy(
      `${name}-function-dlq`,
      {
        role: args.functionRoleName,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "FailedInvocations", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlq.arn] },
          ],
        }),
      },
      parent,
    );
    new lambda.FunctionEventInvokeConfig(
      `${name}-async`,
      {
        functionName: args.functionName,
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: scheduleRetry.maximumEventAgeSeconds,
        destinationConfig: { onFailure: { destination: dlq.arn } },
      },
      { parent: this, dependsOn: [destinationPolicy] },
    );

    const schedule = new scheduler.Schedule(
      name,
      {
        description: "Sends the daily recommendations due this hour",
        scheduleExpression: args.scheduleExpression,
        scheduleExpressionTimezone: args.timezone,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: args.functionArn,
          roleArn: role.arn,
          // The scheduled (not the delivery) time, so a retried event still serves the hour it was meant for.
          input: JSON.stringify({
            source: "lambdagram.schedule",
            scheduledTime: "<aws.scheduler.scheduled-time>",
          }),
          retryPolicy: {
            maximumRetryAttempts: scheduleRetry.maximumRetryAttempts,
            maximumEventAgeInSeconds: scheduleRetry.maximumEventAgeSeconds,
          },
          deadLetterConfig: { arn: dlq.arn },
        },
      },
      { parent: this, dependsOn: [rolePolicy] },
    );

    this.scheduleName = schedule.name;
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueName = dlq.name;
    this.registerOutputs({ scheduleName: this.scheduleName, deadLetterQueueArn: this.deadLetterQueueArn });
  }
}
