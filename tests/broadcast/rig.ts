/**
 * A broadcast rig for tests: dynalite for the job store and the profiles, the Telegram emulator over real
 * HTTP (grammY's Api pointed at it), the in-process SQS queue feeding C worker instances built by the real
 * handler builder, and the admin API handler. Small intervals keep every scenario to a few seconds.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { WorkerFaults } from "../../bot/broadcast/delivery";
import type { BroadcastProgress } from "../../bot/broadcast/progress";
import { DynamoBroadcastStore } from "../../bot/broadcast/store/dynamodb";
import { createMemoryLogger } from "../../bot/observability/logger";
import { buildAdminApiHandler } from "../../bot/runtime/admin-api";
import { broadcastRatesFrom } from "../../bot/runtime/broadcast";
import { buildBroadcastWorkerHandler } from "../../bot/runtime/broadcast-worker";
import { createServices } from "../../bot/runtime/services";
import { DynamoUserStore } from "../../bot/storage/dynamodb";
import type { UserProfile } from "../../bot/storage/port";
import { loadContent } from "../../content/load";
import type { Content } from "../../content/schema";
import { env } from "../../contracts/runtime";
import { InProcessJobQueue } from "../../local/in-process-queue";
import { type RateLimits, TelegramEmulator } from "../../local/telegram/emulator";
import { type AnswerLosingProxy, startAnswerLosingProxy } from "../helpers/answer-losing-proxy";
import { FakeClock } from "../helpers/clock";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

export const adminToken = "test-admin-token-0123456789";
export const botToken = "123456:RIG-TOKEN";

let content: Content | undefined;
function sharedContent(): Content {
  content ??= loadContent();
  return content;
}

/** Options of {@link startRig}. */
export interface RigOptions {
  ratePerSecond?: number;
  allowPaidBroadcast?: boolean;
  limits?: Partial<RateLimits>;
  faults?: WorkerFaults;
  /** Workers reach DynamoDB through an {@link AnswerLosingProxy} (the admin API and the test go direct). */
  loseDynamoAnswers?: boolean;
}

/** A running rig; `stop()` it in afterAll. */
export type Rig = Awaited<ReturnType<typeof startRig>>;

/** Starts dynalite, the emulator, the queue, the workers and the admin API. */
export async function startRig(options: RigOptions = {}) {
  const dynamo: LocalDynamo = await startDynalite({ tableName: "broadcast-test" });
  const emulator = new TelegramEmulator({
    token: botToken,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  await emulator.start();
  const proxy = options.loseDynamoAnswers ? await startAnswerLosingProxy(dynamo.endpoint) : undefined;
  const clock = new FakeClock("2026-11-22T08:00:00.000Z");
  const logger = createMemoryLogger();
  const environment: Record<string, string> = {
    [env.tableName]: dynamo.tableName,
    [env.dynamodbEndpoint]: dynamo.endpoint,
    [env.botToken]: botToken,
    [env.adminApiToken]: adminToken,
    [env.telegramApiRoot]: emulator.apiRoot,
    [env.broadcastRatePerSecond]: String(options.ratePerSecond ?? 30),
    ...(options.allowPaidBroadcast ? { [env.allowPaidBroadcast]: "true" } : {}),
    [env.logLevel]: "silent",
  };
  const queue = new InProcessJobQueue({ visibilityTimeoutMs: 50, delayScale: 0.01, logger });
  const rates = broadcastRatesFrom(environment);
  const faults: WorkerFaults = {
    afterClaim: (job, userId) => options.faults?.afterClaim?.(job, userId),
    afterRecord: (job, userId) => options.faults?.afterRecord?.(job, userId),
  };
  const workerEnvironment = proxy ? { ...environment, [env.dynamodbEndpoint]: proxy.endpoint } : environment;
  const workers = await Promise.all(
    Array.from({ length: rates.concurrency }, () =>
      buildBroadcastWorkerHandler(
        createServices(workerEnvironment, { jobs: queue, content: sharedContent(), clock }),
        {
          logger,
          retry: { baseDelayMs: 10, maxDelayMs: 50 },
          settings: { statusRefreshMs: 0, progressIntervalMs: 0 },
          faults,
        },
      ),
    ),
  );
  queue.attach(workers);
  const admin = await buildAdminApiHandler(createServices(environment, { jobs: queue, clock }));
  const users = new DynamoUserStore({ client: dynamo.documentClient, tableName: dynamo.tableName, clock });
  const store = new DynamoBroadcastStore({
    client: dynamo.documentClient,
    tableName: dynamo.tableName,
    clock,
  });

  function event(routeKey: string, body?: unknown, id?: string, token = adminToken): APIGatewayProxyEventV2 {
    const [method = "GET", template = "/"] = routeKey.split(" ");
    return {
      version: "2.0",
      routeKey,
      rawPath: template.replace("{id}", id ?? ""),
      rawQueryString: "",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      requestContext: { http: { method, path: template.replace("{id}", id ?? "") } },
      ...(id ? { pathParameters: { id } } : {}),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
  }

  async function call(request: APIGatewayProxyEventV2) {
    const result = (await admin(request)) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode ?? 200, body: JSON.parse(String(result.body ?? "null")) };
  }

  return {
    dynamo,
    /** Present with `loseDynamoAnswers`. */
    proxy,
    emulator,
    clock,
    logger,
    queue,
    rates,
    users,
    store,
    environment,
    /** Users known to both the bot (profile) and Telegram (emulator chat). `telegram: false` skips the chat. */
    async addUsers(ids: number[], profile: Partial<UserProfile> & { telegram?: boolean } = {}) {
      const { telegram = true, ...fields } = profile;
      for (const id of ids) {
        if (telegram) emulator.createUser({ id, language_code: fields.language ?? "en" });
        await users.createIfMissing({
          userId: id,
          chatId: id,
          language: "en",
          createdAt: clock.now().toISOString(),
          updatedAt: clock.now().toISOString(),
          subscribed: true,
          blocked: false,
          ...fields,
        });
      }
    },
    /** POST /admin/broadcasts. */
    post: (body: unknown, token?: string) => call(event("POST /admin/broadcasts", body, undefined, token)),
    /** GET /admin/broadcasts/{id}. */
    async progress(id: string): Promise<BroadcastProgress> {
      const answer = await call(event("GET /admin/broadcasts/{id}", undefined, id));
      if (answer.status !== 200) throw new Error(`GET ${id} answered ${answer.status}`);
      return answer.body as BroadcastProgress;
    },
    get: (id: string, token?: string) => call(event("GET /admin/broadcasts/{id}", undefined, id, token)),
    cancel: (id: string) => call(event("POST /admin/broadcasts/{id}/cancel", undefined, id)),
    /** Messages each user received from the bot (sends, not edits). */
    received(ids: number[]): Record<number, number> {
      return Object.fromEntries(ids.map((id) => [id, emulator.sendCount(id)]));
    },
    async stop() {
      queue.stop();
      await proxy?.stop();
      await emulator.stop();
      await dynamo.stop();
    },
  };
}

/** `count` user ids that all fall in audience shard `shard` (userId % 16), starting at `from`. */
export function idsInShard(shard: number, count: number, from = 1000): number[] {
  const first = from + ((shard - (from % 16) + 16) % 16);
  return Array.from({ length: count }, (_, i) => first + i * 16);
}

/** `count` consecutive ids starting at `from` (spread over every shard). */
export function idRange(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Every user gets exactly `n` messages: the map of ids whose count differs (empty when all is well). */
export function notExactly(counts: Record<number, number>, n: number): Record<number, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== n));
}
