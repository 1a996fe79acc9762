/**
 * The inbox routes of the admin API through the real handler builder (bot/runtime/admin-api.ts): the bearer token,
 * pages most frequent first with a cursor, labels checked against the content pack's intents, 400s and 404s.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { AdminHttpHandler } from "../../bot/admin-api/http";
import { MemoryBroadcastStore } from "../../bot/broadcast/store/memory";
import { MemoryInboxStore } from "../../bot/inbox/store/memory";
import type { InboxContribution } from "../../bot/inbox/store/port";
import { buildAdminApiHandler } from "../../bot/runtime/admin-api";
import { createServices } from "../../bot/runtime/services";
import { env, routes } from "../../contracts/runtime";
import { defaultContent } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";

const token = "inbox-admin-token";
let api: AdminHttpHandler;
let inbox: MemoryInboxStore;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  inbox = new MemoryInboxStore({ clock, retentionDays: 90 });
  api = await buildAdminApiHandler(
    createServices(
      { [env.adminApiToken]: token, [env.logLevel]: "silent" },
      {
        inbox,
        clock,
        content: defaultContent(),
        broadcasts: new MemoryBroadcastStore(),
        jobs: { send: async () => {} },
      },
    ),
  );
});

async function call(
  routeKey: string,
  options: { id?: string; query?: Record<string, string>; body?: unknown; auth?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const event = {
    version: "2.0",
    routeKey,
    rawPath: routeKey.split(" ")[1]?.replace("{id}", options.id ?? ""),
    headers: { authorization: options.auth ?? `Bearer ${token}` },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.id !== undefined ? { pathParameters: { id: options.id } } : {}),
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const result = await api(event);
  return { status: result.statusCode ?? 200, body: JSON.parse(String(result.body)) };
}

function sent(text: string, userId = 7, changes: Partial<InboxContribution> = {}): Promise<string> {
  return inbox.record({
    text,
    language: "en",
    tier: "nlp",
    candidates: [{ intent: "qa.lambda-memory", confidence: 0.3 }],
    origin: "declined",
    userId,
    at: clock.now(),
    ...changes,
  });
}

describe("GET /admin/inbox", () => {
  it("pages new entries most frequent first, with a cursor until the last page, and no user ids", async () => {
    for (const [text, times] of [
      ["alpha", 1],
      ["bravo", 3],
      ["charlie", 2],
    ] as const)
      for (let n = 0; n < times; n++) await sent(text, 100 + n);
    const first = await call("GET /admin/inbox", { query: { limit: "2" } });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("new");
    const entries = first.body.entries as { text: string; count: number }[];
    expect(entries.map((entry) => [entry.text, entry.count])).toEqual([
      ["bravo", 3],
      ["charlie", 2],
    ]);
    expect(JSON.stringify(first.body)).not.toMatch(/\b10[012]\b/);
    const second = await call("GET /admin/inbox", {
      query: { limit: "2", cursor: String(first.body.cursor) },
    });
    expect((second.body.entries as { text: string }[]).map((entry) => entry.text)).toEqual(["alpha"]);
    expect(second.body).not.toHaveProperty("cursor");
  });

  it("lists another status on request, and answers 400 for a bad status, limit or cursor", async () => {
    const id = await sent("how much ram");
    await inbox.label(id, { status: "labelled", intent: "qa.lambda-memory" }, clock.now());
    const labelled = await call("GET /admin/inbox", { query: { status: "labelled" } });
    expect(labelled.body.entries).toMatchObject([{ id, label: "qa.lambda-memory", status: "labelled" }]);
    expect((await call("GET /admin/inbox", { query: { status: "open" } })).body).toMatchObject({
      field: "status",
    });
    expect((await call("GET /admin/inbox", { query: { status: "open" } })).status).toBe(400);
    expect(await call("GET /admin/inbox", { query: { limit: "500" } })).toMatchObject({
      status: 400,
      body: { field: "limit" },
    });
    expect(await call("GET /admin/inbox", { query: { limit: "ten" } })).toMatchObject({ status: 400 });
    expect(await call("GET /admin/inbox", { query: { cursor: "garbage" } })).toMatchObject({
      status: 400,
      body: { field: "cursor" },
    });
  });

  it("needs the admin token", async () => {
    expect((await call("GET /admin/inbox", { auth: "Bearer wrong" })).status).toBe(401);
  });
});

describe("POST /admin/inbox/{id}", () => {
  it("labels with an intent of the content pack, out of scope or dismissed, answering the entry", async () => {
    const id = await sent("how big can my function be");
    const labelled = await call("POST /admin/inbox/{id}", { id, body: { label: "qa.lambda-memory" } });
    expect(labelled).toMatchObject({
      status: 200,
      body: { id, status: "labelled", label: "qa.lambda-memory" },
    });
    expect(await call("POST /admin/inbox/{id}", { id, body: { label: "outOfScope" } })).toMatchObject({
      status: 200,
      body: { status: "outOfScope" },
    });
    expect((await inbox.get(id))?.label).toBeUndefined();
    expect(await call("POST /admin/inbox/{id}", { id, body: { label: "dismissed" } })).toMatchObject({
      body: { status: "dismissed" },
    });
  });

  it("answers 400 for an unknown intent or a bad body and changes nothing; 404 for an unknown entry", async () => {
    const id = await sent("how big can my function be");
    for (const body of [{ label: "qa.no-such-thing" }, { label: 3 }, "not json", { status: "dismissed" }]) {
      const answer = await call("POST /admin/inbox/{id}", { id, body });
      expect(answer.status).toBe(400);
      expect(answer.body.field).toBe("label");
    }
    expect((await inbox.get(id))?.status).toBe("new");
    expect(
      (await call("POST /admin/inbox/{id}", { id: "AAAAAAAAAAAA", body: { label: "dismissed" } })).status,
    ).toBe(404);
    expect(
      (await call("POST /admin/inbox/{id}", { id: "../etc", body: { label: "dismissed" } })).status,
    ).toBe(404);
  });

  it("is a route of the contract, served by the admin API function", () => {
    expect(
      routes.filter(
        (route) =>
          route.routeKey.startsWith("GET /admin/inbox") || route.routeKey.startsWith("POST /admin/inbox"),
      ),
    ).toEqual([
      { routeKey: "GET /admin/inbox", function: "adminApi" },
      { routeKey: "POST /admin/inbox/{id}", function: "adminApi" },
    ]);
  });
});
