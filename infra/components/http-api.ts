/**
 * The HTTP API: one route per entry of `routes` in contracts/runtime.ts (the table the local server uses
 * too), a Lambda proxy integration per function, a permission per route scoped to its method and path,
 * stage throttling and JSON access logs.
 *
 * Admin routes are authenticated by a bearer token (SSM `ADMIN_TOKEN_PARAMETER`) that the admin handler
 * compares in constant time: the same check runs in the local stack, works from plain `curl`, and needs no
 * SigV4 tooling. Route throttling keeps unauthenticated floods from costing more than a few invocations.
 */
import * as apigatewayv2 from "@pulumi/aws/apigatewayv2";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import { type FunctionName, routes, timeouts } from "../../contracts/runtime";

/** Throttling of the `$default` stage and of the admin routes (requests per second / burst). */
export const apiThrottling = {
  /** Telegram holds at most `max_connections` (40) requests open; this caps abuse, not real traffic. */
  default: { rateLimit: 200, burstLimit: 400 },
  /** A person with a token needs a handful of calls; token guessing gets 5 per second at most. */
  admin: { rateLimit: 5, burstLimit: 10 },
} as const;

/** The access log line: request identity, route, status and latencies; never headers, bodies or query strings. */
export const accessLogFormat = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  responseLatency: "$context.responseLatency",
  integrationError: "$context.integrationErrorMessage",
});

/** `POST /admin/broadcasts/{id}` -> `POST/admin/broadcasts/*`: the route part of an execute-api source ARN. */
export function routeSourceArnSuffix(routeKey: string): string {
  const [method, routePath] = routeKey.split(" ");
  if (method === undefined || routePath === undefined)
    throw new Error(`Route key "${routeKey}" is not "METHOD /path".`);
  return `${method}${routePath.replace(/\{[^}]+\}/g, "*")}`;
}

/** A function the API invokes. */
export interface ApiTarget {
  arn: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
}

/** Arguments of {@link HttpApi}. */
export interface HttpApiArgs {
  /** The functions routes point at (only those named in `routes` are used). */
  targets: Partial<Record<FunctionName, ApiTarget>>;
  accessLogGroupName: string;
  logRetentionDays: number;
}

/** API Gateway HTTP API with the contract's routes on the `$default` stage. */
export class HttpApi extends pulumi.ComponentResource {
  readonly apiId: pulumi.Output<string>;
  /** Base URL without a trailing slash, e.g. `https://abc.execute-api.us-east-1.amazonaws.com`. */
  readonly endpoint: pulumi.Output<string>;
  readonly stageName: pulumi.Output<string>;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:HttpApi", name, {}, opts);
    const parent = { parent: this };

    const api = new apigatewayv2.Api(
      name,
      { protocolType: "HTTP", description: "Lambdagram webhook and admin API" },
      parent,
    );

    const integrations = new Map<FunctionName, apigatewayv2.Integration>();
    const integrationFor = (fn: FunctionName): apigatewayv2.Integration => {
      const existing = integrations.get(fn);
      if (existing) return existing;
      const target = args.targets[fn];
      if (!target) throw new Error(`Route needs function "${fn}" but HttpApiArgs.targets has none; pass it.`);
      const integration = new apigatewayv2.Integration(
        `${name}-${fn}`,
        {
          apiId: api.id,
          integrationType: "AWS_PROXY",
          integrationUri: target.arn,
          integrationMethod: "POST",
          payloadFormatVersion: "2.0",
          timeoutMilliseconds: timeouts.apiGatewayIntegrationMs,
        },
        parent,
      );
      integrations.set(fn, integration);
      return integration;
    };

    const routeResources = routes.map((route) => {
      const integration = integrationFor(route.function);
      const slug = route.routeKey
        .replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/-+$/, "")
        .toLowerCase();
      const target = args.targets[route.function];
      if (!target) throw new Error(`Route "${route.routeKey}" has no target function.`);
      new lambda.Permission(
        `${name}-${slug}`,
        {
          action: "lambda:InvokeFunction",
          function: target.functionName,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/${routeSourceArnSuffix(route.routeKey)}`,
        },
        parent,
      );
      return new apigatewayv2.Route(
        `${name}-${slug}`,
        {
          apiId: api.id,
          routeKey: route.routeKey,
          target: pulumi.interpolate`integrations/${integration.id}`,
          // Webhook: Telegram's secret_token header; admin: bearer token. Both checked by the handler.
          authorizationType: "NONE",
        },
        parent,
      );
    });

    const accessLogs = new cloudwatch.LogGroup(
      `${name}-access-logs`,
      { name: args.accessLogGroupName, retentionInDays: args.logRetentionDays },
      parent,
    );
    const stage = new apigatewayv2.Stage(
      `${name}-default`,
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: apiThrottling.default.rateLimit,
          throttlingBurstLimit: apiThrottling.default.burstLimit,
        },
        routeSettings: routes
          .filter((route) => route.function === "adminApi")
          .map((route) => ({
            routeKey: route.routeKey,
            throttlingRateLimit: apiThrottling.admin.rateLimit,
            throttlingBurstLimit: apiThrottling.admin.burstLimit,
          })),
        accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat },
      },
      { parent: this, dependsOn: routeResources },
    );

    this.apiId = api.id;
    this.endpoint = api.apiEndpoint;
    this.stageName = stage.name;
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
