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
import { createJsonLogger } from "../bot/observability/logger";
import { buildAdminApiHandler } from "../bot/runtime/admin-api";
import { buildBroadcastWorkerHandler } from "../bot/runtime/broadcast-worker";
import { buildRecommendationsHandler } from "../bot/runtime/recommendations";
import { createServices } from "../bot/runtime/services";
import { buildWebhookHandler } from "../bot/runtime/webhook";
import { sameSecret } from "../bot/webhook";
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
import { lockDataDir, pairBotDataWithEmulator, persistEmulator } from "./data-dir";
import { type LocalDynamo, withTable } from "./dynalite";
import { startDynaliteThread } from "./dynalite-thread";
import { RouteTable, serveRoute } from "./http/routes";
import { foreignRequest, ownHosts } from "./http/same-origin";
import { addHttpApiRoutes, type HttpHandler } from "./http-api";
import { InProcessJobQueue } from "./in-process-queue";
import { captureMetrics, type MetricsCapture, setAsideCapturedMetrics } from "./metrics-capture";
import { ensureNlpModel } from "./nlp-model";
import { serveDueTipsNow } from "./serve-now";
import { ensureSupportGroup, type LocalSupport } from "./support-group";
import { defaultEmulatorToken, TelegramEmulator } from "./telegram/emulator";
import { addWebChatRoutes, operatorCatalog } from "./web/serve";

export type { HttpHandler } from "./http-api";

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
  /**
   * SUPPORT_CHAT_ID: the staff group "Ask a person" hands users to (default with the built-in emulator: its
   * support group, local/support-group.ts; with an external Bot API: none).
   */
  supportChatId?: number;
  /** INBOX_RETENTION_DAYS (default 90). */
  inboxRetentionDays?: number;
  /** FORGET_BLOCKED_AFTER_DAYS (default 180). */
  forgetBlockedAfterDays?: number;
  /** BOT_INFO: the `getMe` JSON for an external Bot API (the emulator answers its own). */
  botInfo?: string;
  /** TABLE_NAME (default lambdagram-local). */
  tableName?: string;
  /** DYNAMODB_ENDPOINT: an external DynamoDB (e.g. DynamoDB Local) instead of the built-in dynalite. */
  dynamodbEndpoint?: string;
}

/** A running local stack. */
export interface LocalStack {
  url: string;
  emulator?: TelegramEmulator;
  dynamo: LocalDynamo;
  /** Where the data is kept; null when everything is in memory. */
  dataDir: string | null;
  /** The environment the handlers were built from (as Lambda would see it). */
  environment: Record<string, string>;
  /**
   * The broadcast queue: the same worker handler as on AWS, invoked in process by C simulated execution
   * environments with SQS semantics (re-delivery of failed items). `idle()` waits until it drained.
   */
  broadcastQueue: InProcessJobQueue;
  /** The metrics the handlers emitted (EMF lines, as CloudWatch would read them), which /stats reads. */
  metrics: MetricsCapture;
  /** The emulator's support group and its staff user (human handoff), when the built-in emulator runs. */
  support?: LocalSupport;
  /** Invokes a scheduled handler now, as EventBridge would; returns what it returned. */
  fireSchedule(name: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts everything; resolves when the webhook is registered and the stack answers. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir =
    options.dataDir === undefined ? join(process.cwd(), ".lambdagram", "data") : options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One stack per data folder: a second one is refused with the first one's pid, before anything opens.
  const releaseLock = dataDir ? lockDataDir(dataDir) : () => undefined;
  try {
    return await startOnData(options, dataDir, releaseLock);
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function startOnData(
  options: LocalStackOptions,
  dataDir: string | null,
  releaseLock: () => void,
): Promise<LocalStack> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 8787;
  const server = createServer();
  await listen(server, port, host);
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  const usesEmulator = !options.telegramApiRoot;
  if (dataDir && usesEmulator && !options.dynamodbEndpoint) {
    const moved = pairBotDataWithEmulator(dataDir, join(dataDir, "dynamodb"));
    if (moved) (options.say ?? console.warn)(moved);
    const metricsAside = moved ? setAsideCapturedMetrics(dataDir) : undefined;
    if (metricsAside) (options.say ?? console.warn)(metricsAside);
  }
  const tableName = options.tableName ?? "lambdagram-local";
  const dynamo = options.dynamodbEndpoint
    ? await withTable(options.dynamodbEndpoint, { tableName }, async () => undefined)
    : await startDynaliteThread({ tableName, ...(dataDir ? { path: join(dataDir, "dynamodb") } : {}) });
  const botToken = options.botToken ?? defaultEmulatorToken;
  const emulator = usesEmulator ? new TelegramEmulator({ token: botToken }) : undefined;
  // The emulator's users, history and update ids live beside the bot's data (see local/data-dir.ts).
  const persistence = emulator && dataDir ? persistEmulator(emulator, dataDir) : undefined;
  emulator?.useBaseUrl(url);
  const support = emulator ? ensureSupportGroup(emulator, options.supportChatId) : undefined;
  const supportChatId = support?.chatId ?? options.supportChatId;
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
    ...(supportChatId ? { [env.supportChatId]: String(supportChatId) } : {}),
    ...(options.inboxRetentionDays ? { [env.inboxRetentionDays]: String(options.inboxRetentionDays) } : {}),
    ...(options.forgetBlockedAfterDays
      ? { [env.forgetBlockedAfterDays]: String(options.forgetBlockedAfterDays) }
      : {}),
    ...(emulator
      ? { [env.botInfo]: JSON.stringify(emulator.botInfo) }
      : options.botInfo
        ? { [env.botInfo]: options.botInfo }
        : {}),
  };

  // What `npm run build` bundles next to each handler on AWS, the local stack loads from source.
  const content = loadContent();
  const nlp = ensureNlpModel(content, createJsonLogger({ level: "silent" }), { say: options.say });

  // The broadcast queue and its workers: C execution environments, each its own limiter at R / C, as on AWS.
  const broadcastQueue = new InProcessJobQueue({
    invocationTimeoutMs: timeouts.broadcastWorkerLambdaSeconds * 1000,
    delayScale: options.broadcastDelayScale ?? 1,
  });
  // The handlers' metrics, captured where CloudWatch would read them on AWS (local/metrics-capture.ts).
  const metrics = await captureMetrics(dataDir);
  // The same composition root as on Lambda, over this environment, with what runs in process handed over.
  const services = createServices(environment, {
    content,
    nlp,
    jobs: broadcastQueue,
    metricSink: metrics.sink,
    metricsReader: metrics.reader,
  });
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

  // One route table for the stack's own routes; the emulator's two surfaces are mounted in front of it.
  const hosts = ownHosts(url);
  const table = new RouteTable()
    .add("GET /healthz", ({ res }) => {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ ok: true, handlers: Object.keys(handlers) }));
    })
    .add("POST /_local/schedules/{name}", async ({ req, res, params }) => {
      req.resume();
      const refused = foreignRequest(req, hosts);
      if (refused) {
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end(refused);
        return;
      }
      const result = await stack.fireSchedule(params.name ?? "");
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ fired: params.name, result: result ?? null }));
    });
  addHttpApiRoutes(
    table,
    routes.map((r) => ({
      routeKey: r.routeKey,
      handler: handlers[r.function],
      functionName: r.function,
      // The webhook reads no body whose secret header is wrong: its handler answers 401 first.
      ...(r.function === "webhook"
        ? {
            admitBody: (req: IncomingMessage) =>
              sameSecret(headerText(req.headers["x-telegram-bot-api-secret-token"]), webhookSecret),
          }
        : {}),
    })),
  );
  addWebChatRoutes(
    table,
    {
      adminApiToken: environment[env.adminApiToken] ?? "",
      ...operatorCatalog(content),
      ...(support ? { support } : {}),
    },
    hosts,
  );

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (emulator?.handle(req, res)) return;
    serveRoute(table, req, res, new URL(req.url ?? "/", url))
      .then((served) => {
        if (served) return;
        req.resume();
        res
          .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
          .end(
            `Not found. Routes:\n${table.help().join("\n")}\n/bot<token>/<method> and /_emulator/ (the Telegram emulator)\n`,
          );
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`Internal error: ${(error as Error).message}`);
      });
  });

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
    dataDir,
    environment,
    broadcastQueue,
    metrics,
    ...(support ? { support } : {}),
    async fireSchedule(name) {
      // By hand, the tips schedule serves everyone due today who still has no tip (local/serve-now.ts).
      if (name === "recommendations")
        return serveDueTipsNow(recommendations, environment[env.scheduleTimezone] ?? "UTC");
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
      persistence?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dynamo.stop();
      await metrics.close();
      releaseLock();
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

/** A header as one string (Node gives repeated headers as a list, which never matches a secret). */
function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
