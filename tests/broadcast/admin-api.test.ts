/**
 * The admin HTTP API's contract: bearer token, clear 400s for bad input with nothing recorded or queued, 404 for
 * an unknown id, idempotent POSTs, cancel. The real handler builder runs over the in-memory job store and a
 * queue that only records what was sent.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { AdminHttpHandler } from "../../bot/admin-api/http";
import type { Job } from "../../bot/broadcast/jobs";
import { MemoryBroadcastStore } from "../../bot/broadcast/store/memory";
import type { JobQueue } from "../../bot/jobs/port";
import { buildAdminApiHandler } from "../../bot/runtime/admin-api";
import { createServices } from "../../bot/runtime/services";
import { env, routes } from "../../contracts/runtime";
import { FakeClock } from "../helpers/clock";

const token = "s3cret-admin-token";

class RecordingQueue implements JobQueue {
  readonly sent: Job[] = [];
  async send(jobs: Job[]): Promise<void> {
    this.sent.push(...jobs);
  }
}

let api: AdminHttpHandler;
let queue: RecordingQueue;
let store: MemoryBroadcastStore;

beforeEach(async () => {
  queue = new RecordingQueue();
  store = new MemoryBroadcastStore();
  api = await buildAdminApiHandler(
    createServices(
      { [env.adminApiToken]: token, [env.logLevel]: "silent" },
      { jobs: queue, broadcasts: store, clock: new FakeClock() },
    ),
  );
});

function request(
  routeKey: string,
  options: { body?: unknown; id?: string; auth?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const auth = options.auth === undefined ? `Bearer ${token}` : options.auth;
  const event = {
    version: "2.0",
    routeKey,
    rawPath: routeKey.split(" ")[1]?.replace("{id}", options.id ?? ""),
    headers: { ...(auth === null ? {} : { authorization: auth }), ...options.headers },
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  return api(event).then((result: APIGatewayProxyStructuredResultV2) => ({
    status: result.statusCode ?? 200,
    body: JSON.parse(String(result.body)),
  }));
}

const post = (body: unknown, options: { auth?: string | null; headers?: Record<string, string> } = {}) =>
  request("POST /admin/broadcasts", { body, ...options });

describe("POST /admin/broadcasts", () => {
  it("accepts a valid broadcast with 202, records it as queued and queues its start once", async () => {
    const answer = await post({
      text: "<b>Hello</b>",
      parseMode: "HTML",
      buttons: [{ text: "Docs", url: "https://docs.aws.amazon.com/lambda/" }],
      audience: { languages: ["vi"], topics: ["lambda"] },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: "queued", sent: 0, remaining: 0, total: 0 });
    const id = String(answer.body.id);
    expect(queue.sent).toEqual([{ type: "broadcast.start", broadcastId: id }]);
    expect((await store.get(id))?.request).toMatchObject({
      parseMode: "HTML",
      audience: { languages: ["vi"], topics: ["lambda"] },
      requestedBy: 0,
    });
  });

  it("returns the same broadcast for a retried POST with the same Idempotency-Key", async () => {
    const headers = { "idempotency-key": "newsletter-2026-11-22" };
    const first = await post({ text: "Once" }, { headers });
    const second = await post({ text: "Once" }, { headers });
    expect(second.body.id).toBe(first.body.id);
    // While it is still queued the start is queued again (the first one may have been lost); starting is
    // idempotent, so this is one broadcast.
    expect(new Set(queue.sent.map((job) => (job.type === "broadcast.start" ? job.broadcastId : "")))).toEqual(
      new Set([first.body.id]),
    );
  });

  it("queues nothing more for a retried POST once the broadcast has started", async () => {
    const headers = { "idempotency-key": "started-already" };
    const first = await post({ text: "Once" }, { headers });
    await store.transition(String(first.body.id), ["queued"], "running");
    await post({ text: "Once" }, { headers });
    expect(queue.sent).toHaveLength(1);
  });

  it.each([
    ["an empty text", { text: "   " }, "text", /empty/],
    ["a text over 4096 characters", { text: "x".repeat(4097) }, "text", /4097 characters.*at most 4096/],
    ["a wrong parse mode", { text: "Hi", parseMode: "Markdown" }, "parseMode", /"HTML" or "MarkdownV2"/],
    ["a button without a URL", { text: "Hi", buttons: [{ text: "Go" }] }, "buttons[0].url", /https:\/\//],
    [
      "an unknown audience filter",
      { text: "Hi", audience: { country: ["VN"] } },
      "audience",
      /languages.*topics/,
    ],
    ["an unknown field", { text: "Hi", sendAt: "tomorrow" }, "sendAt", /Unknown field/],
    ["a body that is not JSON", "{text:", "body", /not JSON/],
  ])("refuses %s with 400 and queues nothing", async (_case, body, field, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe(field);
    expect(String(answer.body.error)).toMatch(message);
    expect(queue.sent).toEqual([]);
  });

  it("refuses a caller without the admin token, or with a wrong one, with 401 and queues nothing", async () => {
    expect((await post({ text: "Hi" }, { auth: null })).status).toBe(401);
    expect((await post({ text: "Hi" }, { auth: "Bearer not-the-token" })).status).toBe(401);
    expect((await post({ text: "Hi" }, { auth: `Basic ${token}` })).status).toBe(401);
    expect(queue.sent).toEqual([]);
  });
});

describe("GET /admin/broadcasts/{id} and cancel", () => {
  it("answers 404 with a clear message for an unknown id, on both routes", async () => {
    const get = await request("GET /admin/broadcasts/{id}", { id: "no-such-id" });
    expect(get.status).toBe(404);
    expect(get.body.error).toMatch(/no-such-id/);
    expect((await request("POST /admin/broadcasts/{id}/cancel", { id: "no-such-id" })).status).toBe(404);
  });

  it("reports progress with the fields the web panel and the progress message share", async () => {
    const { body } = await post({ text: "Hi" });
    const progress = await request("GET /admin/broadcasts/{id}", { id: String(body.id) });
    expect(progress.status).toBe(200);
    expect(Object.keys(progress.body)).toEqual(
      expect.arrayContaining([
        "id",
        "status",
        "sent",
        "blocked",
        "failed",
        "remaining",
        "total",
        "ratePerSecond",
        "etaSeconds",
      ]),
    );
  });

  it("cancels a queued broadcast, and answers 409 to cancelling one that already finished", async () => {
    const { body } = await post({ text: "Hi" });
    const id = String(body.id);
    const cancelled = await request("POST /admin/broadcasts/{id}/cancel", { id });
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled" } });

    const other = String((await post({ text: "Another" })).body.id);
    await store.transition(other, ["queued"], "done");
    const late = await request("POST /admin/broadcasts/{id}/cancel", { id: other });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatch(/already done/);
  });

  it("is routed for every admin route of the contract", () => {
    expect(routes.filter((route) => route.function === "adminApi").map((route) => route.routeKey)).toEqual([
      "POST /admin/broadcasts",
      "GET /admin/broadcasts/{id}",
      "POST /admin/broadcasts/{id}/cancel",
      "GET /admin/stats",
      "GET /admin/questionnaires",
      "GET /admin/questionnaires/{id}/responses",
      "GET /admin/questionnaires/{id}/results",
      "GET /admin/inbox",
      "POST /admin/inbox/{id}",
    ]);
  });
});
