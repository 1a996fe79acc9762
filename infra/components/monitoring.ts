/**
 * Alarms and the dashboard. Alarms (function errors and throttles, dead letters, API 5xx) notify an SNS topic,
 * with an e-mail subscription when `alarmEmail` is set. The dashboard graphs the custom metrics the handlers
 * emit (names from contracts/metrics.ts) next to the AWS metrics of the functions, queues and API.
 */

import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import { metricDimensions, metricNames, metricsNamespace } from "../../contracts/metrics";
import type { FunctionName } from "../../contracts/runtime";

/** Names the dashboard needs, resolved. */
export interface DashboardInputs {
  region: string;
  /** Lambda function name by logical function. */
  functionNames: Record<FunctionName, string>;
  apiId: string;
  /** Dead-letter queue names with a label each. */
  deadLetterQueues: { label: string; queueName: string }[];
}

type Widget = {
  type: "metric";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
};

/** The dashboard body (pure, so the tests can check every graph reads a metric the handlers emit). */
export function dashboardBody(inputs: DashboardInputs): { widgets: Widget[] } {
  const graph = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
    title,
    region: inputs.region,
    view: "timeSeries",
    stat: "Sum",
    period: 60,
    metrics,
    ...extra,
  });
  const custom = (name: string, options: Record<string, unknown> = {}) => [
    metricsNamespace,
    name,
    { ...options },
  ];
  const fnEntries = Object.entries(inputs.functionNames) as [FunctionName, string][];
  const properties: Record<string, unknown>[] = [
    graph("Updates per minute", [custom(metricNames.updatesReceived, { label: "updates" })]),
    graph(
      "Intents matched (per intent)",
      [
        [
          {
            expression: `SEARCH('{${metricsNamespace},${metricDimensions.intent}} MetricName="${metricNames.intentMatched}"', 'Sum', 300)`,
            id: "intents",
            label: "",
          },
        ],
      ],
      { period: 300 },
    ),
    graph(
      "Fallback rate (% of free-text messages)",
      [
        custom(metricNames.fallbackAnswered, { id: "fallback", visible: false }),
        custom(metricNames.intentMatched, { id: "matched", visible: false }),
        [{ expression: "100 * fallback / (fallback + matched)", id: "rate", label: "fallback %" }],
      ],
      { period: 300, yAxis: { left: { min: 0, max: 100 } } },
    ),
    graph(
      "Free-text messages by tier and outcome",
      [
        [
          {
            expression: `SEARCH('{${metricsNamespace},${metricDimensions.tier},${metricDimensions.outcome}} MetricName="${metricNames.messageClassified}"', 'Sum', 3600)`,
            id: "classified",
            label: "",
          },
        ],
      ],
      { period: 3600, stacked: true },
    ),
    graph("Daily active users", [custom(metricNames.activeUser, { label: "active users" })], {
      period: 86400,
    }),
    graph(
      "Answer feedback (👍 / 👎 under Q&A answers)",
      [
        custom(metricNames.answerThumbsUp, { label: "👍" }),
        custom(metricNames.answerThumbsDown, { label: "👎" }),
      ],
      { period: 3600 },
    ),
    graph(
      "Questionnaire completions and broadcasts started",
      [
        custom(metricNames.questionnaireCompleted, { label: "completed" }),
        custom(metricNames.broadcastStarted, { label: "broadcasts started" }),
      ],
      { period: 3600 },
    ),
    graph(
      "Broadcast progress (messages per minute)",
      [
        custom(metricNames.broadcastMessagesSent, { label: "sent" }),
        custom(metricNames.broadcastMessagesBlocked, { label: "blocked" }),
        custom(metricNames.broadcastMessagesFailed, { label: "failed" }),
      ],
      { stacked: true },
    ),
    graph("Recommendations sent", [custom(metricNames.recommendationsSent, { label: "tips" })], {
      period: 3600,
    }),
    graph(
      "Function errors and throttles",
      fnEntries.flatMap(([fn, name]) => [
        ["AWS/Lambda", "Errors", "FunctionName", name, { label: `${fn} errors` }],
        ["AWS/Lambda", "Throttles", "FunctionName", name, { label: `${fn} throttles` }],
      ]),
      { period: 300 },
    ),
    graph(
      "Function duration p99 (ms)",
      fnEntries.map(([fn, name]) => ["AWS/Lambda", "Duration", "FunctionName", name, { label: fn }]),
      {
        stat: "p99",
        period: 300,
      },
    ),
    graph("API requests and errors", [
      ["AWS/ApiGateway", "Count", "ApiId", inputs.apiId, { label: "requests" }],
      ["AWS/ApiGateway", "4xx", "ApiId", inputs.apiId, { label: "4xx" }],
      ["AWS/ApiGateway", "5xx", "ApiId", inputs.apiId, { label: "5xx" }],
    ]),
    graph(
      "Dead letters waiting",
      inputs.deadLetterQueues.map((queue) => [
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        queue.queueName,
        { label: queue.label, stat: "Maximum" },
      ]),
      { period: 300 },
    ),
  ];
  return {
    widgets: properties.map((props, index) => ({
      type: "metric",
      x: (index % 2) * 12,
      y: Math.floor(index / 2) * 6,
      width: 12,
      height: 6,
      properties: props,
    })),
  };
}

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
  functions: Record<FunctionName, { functionName: pulumi.Input<string> }>;
  apiId: pulumi.Input<string>;
  deadLetterQueues: { label: string; queueName: pulumi.Input<string> }[];
  /**
   * Work queues whose oldest message must not wait longer than `maxAgeSeconds`: an old message means the
   * consumers stopped (errors, throttling, a disabled event source) while the queue keeps filling.
   */
  workQueues?: { label: string; queueName: pulumi.Input<string>; maxAgeSeconds: number }[];
  dashboardName: string;
  alarmEmail?: string;
}

/** SNS topic, alarms and the CloudWatch dashboard. */
export class Monitoring extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  /** Console URL of the dashboard. */
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:Monitoring", name, {}, opts);
    const parent = { parent: this };

    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS managed key, and alarms carry no secrets.
    const topic = new sns.Topic(`${name}-alarms`, { displayName: "Lambdagram alarms" }, parent);
    if (args.alarmEmail !== undefined) {
      new sns.TopicSubscription(
        `${name}-alarm-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.alarmEmail },
        parent,
      );
    }

    const alarm = (
      id: string,
      description: string,
      metric: Omit<cloudwatch.MetricAlarmArgs, "comparisonOperator" | "evaluationPeriods">,
    ) =>
      new cloudwatch.MetricAlarm(
        `${name}-${id}`,
        {
          alarmDescription: description,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          evaluationPeriods: 1,
          treatMissingData: "notBreaching",
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          ...metric,
        },
        parent,
      );

    for (const [fn, target] of Object.entries(args.functions) as [
      FunctionName,
      { functionName: pulumi.Input<string> },
    ][]) {
      alarm(`${fn}-errors`, `The ${fn} function failed (see its log group)`, {
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: target.functionName },
        statistic: "Sum",
        period: 300,
        threshold: 1,
      });
      alarm(`${fn}-throttles`, `The ${fn} function was throttled (concurrency limit reached)`, {
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: target.functionName },
        statistic: "Sum",
        period: 300,
        threshold: 1,
      });
    }
    for (const queue of args.deadLetterQueues) {
      alarm(`${queue.label}-dead-letters`, `Messages are waiting in the ${queue.label} dead-letter queue`, {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue.queueName },
        statistic: "Maximum",
        period: 300,
        threshold: 1,
      });
    }
    for (const queue of args.workQueues ?? []) {
      alarm(
        `${queue.label}-queue-age`,
        `A ${queue.label} job has waited over ${Math.round(queue.maxAgeSeconds / 60)} minutes: its workers are failing, throttled or stopped, or more is queued than the rate can send in that time`,
        {
          namespace: "AWS/SQS",
          metricName: "ApproximateAgeOfOldestMessage",
          dimensions: { QueueName: queue.queueName },
          statistic: "Maximum",
          period: 300,
          threshold: queue.maxAgeSeconds,
        },
      );
    }
    alarm("api-5xx", "The HTTP API answered 5xx (Telegram retries these updates)", {
      namespace: "AWS/ApiGateway",
      metricName: "5xx",
      dimensions: { ApiId: args.apiId },
      statistic: "Sum",
      period: 300,
      threshold: 1,
    });

    const region = getRegionOutput({}, parent).region;
    const dashboard = new cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: args.dashboardName,
        dashboardBody: pulumi
          .all([
            region,
            args.apiId,
            pulumi.output(
              Object.fromEntries(
                Object.entries(args.functions).map(([fn, target]) => [fn, target.functionName]),
              ),
            ),
            pulumi.output(args.deadLetterQueues),
          ])
          .apply(([resolvedRegion, apiId, functionNames, deadLetterQueues]) =>
            JSON.stringify(
              dashboardBody({
                region: resolvedRegion,
                apiId,
                functionNames: functionNames as Record<FunctionName, string>,
                deadLetterQueues,
              }),
            ),
          ),
      },
      parent,
    );

    this.topicArn = topic.arn;
    this.dashboardName = dashboard.dashboardName;
    this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboard.dashboardName}`;
    this.registerOutputs({ topicArn: this.topicArn, dashboardUrl: this.dashboardUrl });
  }
}
