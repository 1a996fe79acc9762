/**
 * The whole serverless app on one machine: dynalite (persisted), the HTTP API routes invoking the same
 * Lambda handlers with payload-2.0 events, the schedule, and the Telegram Bot API emulator, all on one
 * loopback port. `npm start` runs it; the end-to-end tests and benchmarks start it in-process.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createJsonLogger } from "../bot/observability/logger";
import { buildAdminApiHandler } from "../bot/runtime/admin-api";
import { buildBroadcastWorkerHandler } from "../bot/runtime/broadcast-worker";
import { buildRecommendationsHandler } from "../bot/runtime/recommendations";
import { createServices } from "../bot/runtime/services";
import { buildWebhookHandler } from "../bot/runtime/webhook";
import { loadContent } from "../content/load";
import { botCommandsFrom } from "../contracts/commands";
import {
  defaultRecommendationSchedule,
  env,
  type FunctionName,
  routes,
  timeouts,
} from "../contracts/runtime";
import { type CronSchedule, parseCron } from "./cron";
import { type LocalDynamo, startDynalite } from "./dynalite";
import { matchRoute, readBody, toHttpApiEvent, writeResult } from "./http-api";
import { InProcessJobQueue } from "./in-process-queue";
import { ensureNlpModel } from "./nlp-model";
import { TelegramEmulator } from "./telegram/emulator";
import { serveWebChat } from "./web/serve";

/** An HTTP API handler as Lambda runs it. */
export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Thrown when the port is taken; names the port and the variable to change. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `Port ${port} is already in use. Stop the other program or choose another port: PORT=8788 npm start`,
    );
    this.name = "PortInUseError";
  }
}

/** Options of {@link startLocalStack}; every field has a default that needs no account and no token. */
export interface LocalStackOptions {
  port?: number;
  host?: string;
  /** Where dynalite keeps its data; `null` keeps everything in memory (tests). */
  dataDir?: string | null;
  botToken?: string;
  /** An external Bot API root; without it the built-in emulator serves the Bot API on the same port. */
  telegramApiRoot?: string;
  webhookSecret?: string;
  adminApiToken?: string;
  adminUserIds?: number[];
  defaultMode?: "rules" | "nlp";
  logLevel?: "debug" | "info" | "warn" | "error" | "silent";
  /** Progress lines for a person watching (e.g. "training the NLP model"); silent by default. */
  say?: (line: string) => void;
  /** Run the schedule on its cron (default true); tests fire it by hand instead. */
  runSchedule?: boolean;
  /** BROADCAST_RATE_PER_SECOND: messages/s of broadcasts and tips across all workers (default 25, or 900 paid). */
  broadcastRatePerSecond?: number;
  /** ALLOW_PAID_BROADCAST: sends carry `allow_paid_broadcast`, the ceiling rises to 1000 messages/s. */
  allowPaidBroadcast?: boolean;
  /** SCHEDULE_TIMEZONE of the recommendations schedule (default UTC). */
  scheduleTimezone?: string;
  /** Multiplies the broadcast queue's message delays (default 1; tests pass a small factor). */
  broadcastDelayScale?: number;
}

/** A running local stack. */
export interface LocalStack {
  url: string;
  emulator?: TelegramEmulator;
  dynamo: LocalDynamo;
  /** The environment the handlers were built from (as Lambda would see it). */
  environment: Record<string, string>;
  /**
   * The broadcast queue: the same worker handler as on AWS, invoked in process by C simulated execution
   * environments with SQS semantics (re-delivery of failed items). `idle()` waits until it drained.
   */
  broadcastQueue: InProcessJobQueue;
  /** Invokes a scheduled handler now, as EventBridge would; returns what it returned. */
  fireSchedule(name: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts everything; resolves when the webhook is registered and the stack answers. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 8787;
  const dataDir =
    options.dataDir === undefined ? join(process.cwd(), ".lambdagram", "data") : options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = createServer();
  await listen(server, port, host);
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  const dynamo = await startDynalite({
    tableName: "lambdagram-local",
    ...(dataDir ? { path: join(dataDir, "dynamodb") } : {}),
  });
  const botToken = options.botToken ?? "123456:LOCAL-EMULATOR-TOKEN";
  const emulator = options.telegramApiRoot ? undefined : new TelegramEmulator({ token: botToken });
  emulator?.useBaseUrl(url);
  const apiRoot = options.telegramApiRoot ?? url;
  const webhookSecret = options.webhookSecret ?? randomBytes(24).toString("base64url");
  const environment: Record<string, string> = {
    [env.tableName]: dynamo.tableName,
    [env.dynamodbEndpoint]: dynamo.endpoint,
    [env.botToken]: botToken,
    [env.webhookSecret]: webhookSecret,
    [env.adminApiToken]: options.adminApiToken ?? randomBytes(24).toString("base64url"),
    [env.telegramApiRoot]: apiRoot,
    [env.adminUserIds]: (options.adminUserIds ?? [1]).join(","),
    [env.defaultMode]: options.defaultMode ?? "nlp",
    [env.logLevel]: options.logLevel ?? "warn",
    [env.scheduleTimezone]: options.scheduleTimezone ?? defaultRecommendationSchedule.timezone,
    ...(options.broadcastRatePerSecond
      ? { [env.broadcastRatePerSecond]: String(options.broadcastRatePerSecond) }
      : {}),
    ...(options.allowPaidBroadcast ? { [env.allowPaidBroadcast]: "true" } : {}),
    ...(emulator ? { [env.botInfo]: JSON.stringify(emulator.botInfo) } : {}),
  };

  // What `npm run build` bundles next to each handler on AWS, the local stack loads from source.
  const content = loadContent();
  const nlp = ensureNlpModel(content, createJsonLogger({ level: "silent" }), { say: options.say });

  // The broadcast queue and its workers: C execution environments, each its own limiter at R / C, as on AWS.
  const broadcastQueue = new InProcessJobQueue({
    invocationTimeoutMs: timeouts.broadcastWorkerLambdaSeconds * 1000,
    delayScale: options.broadcastDelayScale ?? 1,
  });
  // The same composition root as on Lambda, over this environment, with what runs in process handed over.
  const services = createServices(environment, { content, nlp, jobs: broadcastQueue });
  const workers = await Promise.all(
    Array.from({ length: services.rates.concurrency }, () => buildBroadcastWorkerHandler(services)),
  );
  broadcastQueue.attach(workers);

  const handlers: Partial<Record<FunctionName, HttpHandler>> = {
    webhook: await buildWebhookHandler(services),
    adminApi: await buildAdminApiHandler(services),
  };
  const recommendations = await buildRecommendationsHandler(services);
  const schedules: { name: string; cron: CronSchedule; run: () => Promise<unknown> }[] = [
    {
      name: "recommendations",
      cron: parseCron(defaultRecommendationSchedule.cron, environment[env.scheduleTimezone]),
      run: () => recommendations({ source: "lambdagram.local", scheduledTime: new Date().toISOString() }),
    },
  ];

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`Internal error: ${(error as Error).message}`);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (emulator?.handle(req, res)) return;
    const path = new URL(req.url ?? "/", url).pathname;
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/healthz") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ ok: true, handlers: Object.keys(handlers) }));
      return;
    }
    const fire = method === "POST" ? path.match(/^\/_local\/schedules\/([\w-]+)$/) : null;
    if (fire) {
      const result = await stack.fireSchedule(fire[1] ?? "");
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ fired: fire[1], result: result ?? null }));
      return;
    }
    for (const r of routes) {
      const params = matchRoute(r.routeKey, method, path);
      if (!params) continue;
      const handler = handlers[r.function];
      if (!handler) {
        res
          .writeHead(501, { "content-type": "text/plain" })
          .end(`The ${r.function} function is not part of this build yet.`);
        return;
      }
      const body = await readBody(req);
      writeResult(res, await handler(toHttpApiEvent(req, body, r.routeKey, params)));
      return;
    }
    if (method === "GET" && serveWebChat(path, res, { adminApiToken: environment[env.adminApiToken] ?? "" }))
      return;
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  }

  // Register the webhook the way `pulumi up` does on AWS: through the Bot API, with the secret token.
  const registered = await fetch(`${apiRoot}/bot${botToken}/setWebhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      url: `${url}/telegram/webhook`,
      secret_token: webhookSecret,
      allowed_updates: ["message", "callback_query", "my_chat_member"],
    }),
  });
  if (!registered.ok)
    throw new Error(`setWebhook failed at ${apiRoot}: ${registered.status} ${await registered.text()}`);
  // The command menu, as `pulumi up` registers it on AWS.
  for (const set of botCommandsFrom(content))
    await fetch(`${apiRoot}/bot${botToken}/setMyCommands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        commands: set.commands,
        ...(set.languageCode ? { language_code: set.languageCode } : {}),
      }),
    });

  let timer: NodeJS.Timeout | undefined;
  if (options.runSchedule !== false && schedules.length > 0) {
    const tick = () => {
      const now = new Date();
      for (const schedule of schedules) if (schedule.cron.matches(now)) schedule.run().catch(() => undefined);
      timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
      timer.unref();
    };
    timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
    timer.unref();
  }

  const stack: LocalStack = {
    url,
    emulator,
    dynamo,
    environment,
    broadcastQueue,
    async fireSchedule(name) {
      const schedule = schedules.find((s) => s.name === name);
      if (!schedule)
        throw new Error(
          `No schedule named "${name}". Known: ${schedules.map((s) => s.name).join(", ") || "none yet"}.`,
        );
      return schedule.run();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      broadcastQueue.stop();
      await emulator?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dynamo.stop();
    },
  };
  return stack;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error),
    );
    server.listen(port, host, () => resolve());
  });
}
