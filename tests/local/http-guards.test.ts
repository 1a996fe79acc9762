/**
 * The local stack's HTTP edges, as an attacker would try them: oversized webhook bodies (413, but only after
 * the secret check, and an unauthenticated body is never read), and the routes only the web chat may call
 * (`/_emulator/*`, `/web-config.json`, `/_local/*`) refused to other origins and to foreign `Host` headers
 * (DNS rebinding), with no CORS header that would let another page read them.
 */
import http from "node:http";
import { env } from "../../contracts/runtime";
import type { LocalStack } from "../../local/stack";
import { startTestStack } from "../helpers/local-stack";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so tests can set `Host` and stream bodies; `body` chunks are written in order. */
function request(
  stack: LocalStack,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: Buffer[];
    endBody?: boolean;
  },
): Promise<Answer> {
  const { port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    for (const chunk of options.body ?? []) req.write(chunk);
    if (options.endBody !== false) req.end();
  });
}

describe("the local stack's HTTP guards", () => {
  let stack: LocalStack;
  let secret: string;
  let host: string;

  beforeAll(async () => {
    stack = await startTestStack();
    secret = stack.environment[env.webhookSecret] ?? "";
    host = new URL(stack.url).host;
  });
  afterAll(() => stack.stop());

  it("answers a wrong secret 401 without reading the body it announces", async () => {
    // 20 MB announced, 1 KB sent and the request left open: only a server that does not wait for the body answers.
    const answer = await request(stack, {
      method: "POST",
      path: "/telegram/webhook",
      headers: {
        "content-type": "application/json",
        "content-length": 20 * 1024 * 1024,
        "x-telegram-bot-api-secret-token": "wrong",
      },
      body: [Buffer.alloc(1024, 32)],
      endBody: false,
    });

    expect(answer.status).toBe(401);
  });

  it("answers 413 to a body over 10 MB that carries the right secret, announced or streamed", async () => {
    const announced = await request(stack, {
      method: "POST",
      path: "/telegram/webhook",
      headers: {
        "content-type": "application/json",
        "content-length": 20 * 1024 * 1024,
        "x-telegram-bot-api-secret-token": secret,
      },
      body: [Buffer.alloc(64 * 1024, 32)],
      endBody: false,
    });
    const streamed = await request(stack, {
      method: "POST",
      path: "/telegram/webhook",
      headers: {
        "content-type": "application/json",
        "transfer-encoding": "chunked",
        "x-telegram-bot-api-secret-token": secret,
      },
      body: Array.from({ length: 11 }, () => Buffer.alloc(1024 * 1024, 32)),
    });

    expect(announced.status).toBe(413);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual({ message: "Request Entity Too Large" });
  });

  it("still takes a normal update with the right secret", async () => {
    const user = stack.emulator?.createUser({ first_name: "Guarded" });
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: user?.id, type: "private" },
        from: { id: user?.id, is_bot: false, first_name: "Guarded" },
        text: "/start",
      },
    };
    const answer = await request(stack, {
      method: "POST",
      path: "/telegram/webhook",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body: [Buffer.from(JSON.stringify(update))],
    });

    expect(answer.status).toBe(200);
  });

  it("serves the control API and /web-config.json to the page's own origin, with no CORS header", async () => {
    const users = await request(stack, { path: "/_emulator/users", headers: { host, origin: stack.url } });
    const config = await request(stack, { path: "/web-config.json", headers: { host, origin: stack.url } });
    const fromTool = await request(stack, { path: "/_emulator/users", headers: { host } });

    expect(users.status).toBe(200);
    expect(fromTool.status).toBe(200);
    expect(JSON.parse(config.body)).toEqual({
      adminApiToken: stack.environment[env.adminApiToken],
      support: stack.support,
      // The content's intents and questionnaires, for the operator view (local/web/serve.ts operatorCatalog).
      intents: expect.arrayContaining([{ id: "qa.lambda-pricing", title: "Lambda pricing" }]),
      questionnaires: expect.arrayContaining([
        expect.objectContaining({ id: "course-feedback", version: 1 }),
      ]),
    });
    for (const answer of [users, config, fromTool])
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses another site's page: the control API, the admin token and the schedule trigger", async () => {
    const evil = "http://evil.example";
    const send = await request(stack, {
      method: "POST",
      path: "/_emulator/users/1/messages",
      headers: { host, origin: evil, "content-type": "text/plain" },
      body: [Buffer.from(JSON.stringify({ text: "/broadcast hello" }))],
    });
    const config = await request(stack, { path: "/web-config.json", headers: { host, origin: evil } });
    const fire = await request(stack, {
      method: "POST",
      path: "/_local/schedules/recommendations",
      headers: { host, origin: evil },
    });
    const preflight = await request(stack, {
      method: "OPTIONS",
      path: "/_emulator/users",
      headers: { host, origin: evil },
    });

    expect([send.status, config.status, fire.status]).toEqual([403, 403, 403]);
    expect(config.body).not.toContain(stack.environment[env.adminApiToken] ?? "?");
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses a foreign Host header, as a DNS name rebound to 127.0.0.1 sends it", async () => {
    const rebound = `rebind.example:${new URL(stack.url).port}`;
    const config = await request(stack, { path: "/web-config.json", headers: { host: rebound } });
    const users = await request(stack, { path: "/_emulator/users", headers: { host: rebound } });
    const localhost = await request(stack, {
      path: "/web-config.json",
      headers: { host: `localhost:${new URL(stack.url).port}` },
    });

    expect(config.status).toBe(403);
    expect(config.body).not.toContain(stack.environment[env.adminApiToken] ?? "?");
    expect(users.status).toBe(403);
    expect(localhost.status).toBe(200);
  });

  it("answers an unknown path 404 with the routes it serves", async () => {
    const answer = await request(stack, { path: "/nothing-here", headers: { host } });

    expect(answer.status).toBe(404);
    expect(answer.body).toContain("POST   /telegram/webhook");
    expect(answer.body).toContain("GET    /web-config.json");
  });
});
