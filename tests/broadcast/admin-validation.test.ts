/**
 * The admin API refuses what would fail or surprise later: markup Telegram cannot parse (named by position),
 * a text over 4,096 visible characters (markup not counted), an empty audience list, an Idempotency-Key reused
 * with another body.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { AdminHttpHandler } from "../../bot/admin-api/http";
import type { Job } from "../../bot/broadcast/jobs";
import { visibleText } from "../../bot/broadcast/markup";
import { MemoryBroadcastStore } from "../../bot/broadcast/store/memory";
import type { JobQueue } from "../../bot/jobs/port";
import { buildAdminApiHandler } from "../../bot/runtime/admin-api";
import { createServices } from "../../bot/runtime/services";
import { env } from "../../contracts/runtime";
import { FakeClock } from "../helpers/clock";

const token = "s3cret-admin-token";
let api: AdminHttpHandler;
let queued: Job[];

beforeEach(async () => {
  queued = [];
  const jobs: JobQueue = { send: async (sent) => void queued.push(...sent) };
  api = await buildAdminApiHandler(
    createServices(
      { [env.adminApiToken]: token, [env.logLevel]: "silent" },
      { jobs, broadcasts: new MemoryBroadcastStore(), clock: new FakeClock() },
    ),
  );
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const result = await api({
    version: "2.0",
    routeKey: "POST /admin/broadcasts",
    rawPath: "/admin/broadcasts",
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2);
  return { status: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
}

describe("broadcast markup is parsed before a broadcast is accepted", () => {
  it("refuses broken HTML with 400 naming the position, and queues nothing", async () => {
    const answer = await post({ text: "Hello <b>world</i> again", parseMode: "HTML" });
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe("text");
    expect(answer.body.error).toMatch(/character 14 \(line 1, column 15\).*<\/i> closes <b>/);
    expect(queued).toEqual([]);

    for (const text of ["<b>unclosed", "<blink>no</blink>", 'a <span class="x">b</span>', "1 < 2"])
      expect((await post({ text, parseMode: "HTML" })).status).toBe(400);
  });

  it("refuses broken MarkdownV2 with 400 naming the position", async () => {
    const answer = await post({ text: "*Hello*\nVersion 2.0 is out", parseMode: "MarkdownV2" });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/character 17 \(line 2, column 10\).*"\." is reserved/);

    for (const text of ["*bold", "[link](https://example.com", "_a *b_ c*", "`code"])
      expect((await post({ text, parseMode: "MarkdownV2" })).status).toBe(400);
    expect(
      (
        await post({
          text: "*Hello* _world_ \\(v2\\.0\\) [docs](https://x.y/a_(b\\))",
          parseMode: "MarkdownV2",
        })
      ).status,
    ).toBe(202);
  });

  it("counts Telegram's 4,096 characters on the visible text, not on the markup", async () => {
    const bold = (n: number) => `<b>${"x".repeat(n / 2)}</b><i>${"y".repeat(n / 2)}</i>`;
    expect((await post({ text: bold(4096), parseMode: "HTML" })).status).toBe(202);
    const over = await post({ text: bold(4098), parseMode: "HTML" });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatch(/4098 characters once its markup is parsed/);
  });
});

describe("broadcast audience and idempotency", () => {
  it("refuses an empty audience list instead of sending to everyone", async () => {
    const answer = await post({ text: "Hi", audience: { languages: [] } });
    expect(answer).toMatchObject({ status: 400, body: { field: "audience.languages" } });
    expect((await post({ text: "Hi", audience: { topics: [] } })).status).toBe(400);
    expect(queued).toEqual([]);
  });

  it("answers 422 naming the key when an Idempotency-Key comes back with another body", async () => {
    const first = await post({ text: "Maintenance tonight" }, { "idempotency-key": "maint-1" });
    const again = await post({ text: "Maintenance tonight" }, { "idempotency-key": "maint-1" });
    const queuedBefore = queued.length;
    const other = await post({ text: "Something else" }, { "idempotency-key": "maint-1" });

    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 202, body: { id: first.body.id } });
    expect(other.status).toBe(422);
    expect(other.body.error).toContain('"maint-1"');
    expect(queued).toHaveLength(queuedBefore);
  });
});

describe("visible text", () => {
  it("is what the user sees: tags and escapes gone, entities decoded", () => {
    expect(visibleText('<b>a</b> &lt;3 &amp; <a href="https://x.y">link</a> &#128512;', "HTML")).toBe(
      "a <3 & link 😀",
    );
    expect(visibleText("*a* _b_ __c__ ~d~ ||e|| `f\\`` \\. [g](https://x.y)", "MarkdownV2")).toBe(
      "a b c d e f` . g",
    );
    expect(visibleText("```ts\nconst x = 1;\n```", "MarkdownV2")).toBe("const x = 1;\n");
    expect(visibleText("<b>not parsed", undefined)).toBe("<b>not parsed");
  });
});
