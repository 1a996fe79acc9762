/**
 * The questionnaire routes of the admin API through the real handler builder (bot/runtime/admin-api.ts) over
 * dynalite, as the Lambda runs them: the bearer token, JSON pages with cursors, the CSV export (parsed here) and
 * its continuation when a part is full, the results aggregate, 404 for an unknown questionnaire.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { AdminHttpHandler } from "../../bot/admin-api/http";
import type { JobQueue } from "../../bot/jobs/port";
import { csvBom } from "../../bot/questionnaire-results/csv";
import { buildAdminApiHandler } from "../../bot/runtime/admin-api";
import { createServices } from "../../bot/runtime/services";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import type { AnswerStore, QuestionnaireSubmission } from "../../bot/storage/port";
import { env } from "../../contracts/runtime";
import { defaultContent } from "../helpers/bot-harness";
import { FakeClock } from "../helpers/clock";
import { parseCsv } from "../helpers/csv";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

const token = "results-admin-token";
/** The broadcast routes share the handler; these tests queue nothing. */
const noJobs: JobQueue = {
  send: async () => {
    throw new Error("no broadcast is queued by the questionnaire routes");
  },
};
let dynamo: LocalDynamo;
let answers: AnswerStore;
let api: AdminHttpHandler;

/** Response `i` of course-feedback: a rating from 1 to 5, a comment on every other one. */
function feedback(i: number): QuestionnaireSubmission {
  const at = new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString();
  return {
    userId: 5000 + i,
    questionnaireId: "course-feedback",
    questionnaireVersion: 1,
    runId: `r${String(i).padStart(4, "0")}`,
    answers: { rating: String((i % 5) + 1), ...(i % 2 === 0 ? { comment: `Bình luận số ${i}, "tốt"` } : {}) },
    answeredAt: { rating: at },
    startedAt: at,
    submittedAt: at,
  };
}

beforeAll(async () => {
  dynamo = await startDynalite();
  answers = createDynamoStorage({ client: dynamo.documentClient, tableName: dynamo.tableName }).answers;
  for (let i = 0; i < 25; i++) await answers.save(feedback(i));
  api = await buildAdminApiHandler(
    createServices(
      {
        [env.adminApiToken]: token,
        [env.logLevel]: "silent",
        [env.tableName]: dynamo.tableName,
        [env.dynamodbEndpoint]: dynamo.endpoint,
      },
      { content: defaultContent(), clock: new FakeClock("2026-12-06T10:00:00.000Z"), jobs: noJobs },
    ),
  );
});

afterAll(async () => {
  await dynamo?.stop();
});

/** Calls a route as API Gateway would. */
async function request(
  routeKey: string,
  options: {
    id?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    auth?: string | null;
  } = {},
): Promise<APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> }> {
  const auth = options.auth === undefined ? `Bearer ${token}` : options.auth;
  const event = {
    version: "2.0",
    routeKey,
    rawPath: routeKey.split(" ")[1]?.replace("{id}", options.id ?? ""),
    headers: { ...(auth === null ? {} : { authorization: auth }), ...options.headers },
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(options.query ? { queryStringParameters: options.query } : {}),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const result = await api(event);
  return {
    ...result,
    statusCode: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
  };
}

const responses = "GET /admin/questionnaires/{id}/responses";
const body = (result: { body?: string }) => JSON.parse(String(result.body));

describe("GET /admin/questionnaires/{id}/responses as JSON", () => {
  it("pages every response once, oldest first, without user ids", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await request(responses, {
        id: "course-feedback",
        query: { limit: "10", ...(cursor ? { cursor } : {}) },
      });
      expect(page.statusCode).toBe(200);
      const { items, cursor: next } = body(page);
      expect(items.length).toBeLessThanOrEqual(10);
      seen.push(...items.map((item: { responseId: string }) => item.responseId));
      if (pages === 0)
        expect(items[0]).toEqual({
          responseId: "r0000",
          questionnaireVersion: 1,
          startedAt: "2026-12-01T09:00:00.000Z",
          submittedAt: "2026-12-01T09:00:00.000Z",
          answers: { rating: "1", comment: 'Bình luận số 0, "tốt"' },
        });
      expect(JSON.stringify(items)).not.toMatch(/userId|500\d/);
      cursor = next;
      pages++;
    } while (cursor);

    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(4, "0")}`));
    expect(pages).toBe(3);
  });

  it("answers 400 for a limit out of range and for a cursor it did not issue", async () => {
    const tooBig = await request(responses, { id: "course-feedback", query: { limit: "5000" } });
    expect(tooBig.statusCode).toBe(400);
    expect(body(tooBig)).toMatchObject({ field: "limit" });

    const forged = await request(responses, { id: "course-feedback", query: { cursor: "bm90LWEtY3Vyc29y" } });
    expect(forged.statusCode).toBe(400);
    expect(body(forged)).toMatchObject({ field: "cursor" });
  });

  it("answers an empty page for a questionnaire nobody completed", async () => {
    const page = await request(responses, { id: "learner-profile" });
    expect(page.statusCode).toBe(200);
    expect(body(page)).toEqual({ items: [] });
  });
});

describe("GET /admin/questionnaires/{id}/responses as CSV", () => {
  it("exports every response as one CSV file with a BOM, a column per question and RFC 4180 quoting", async () => {
    const result = await request(responses, { id: "course-feedback", headers: { accept: "text/csv" } });

    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="course-feedback-2026-12-06.csv"',
      "x-response-count": "25",
    });
    expect(result.headers).not.toHaveProperty("x-next-cursor");
    const text = String(result.body);
    expect(text.startsWith(csvBom)).toBe(true);
    const [header, ...rows] = parseCsv(text.slice(csvBom.length));
    expect(header).toEqual(["submittedAt", "questionnaireVersion", "rating", "comment"]);
    expect(rows).toHaveLength(25);
    expect(rows[0]).toEqual(["2026-12-01T09:00:00.000Z", "1", "1", 'Bình luận số 0, "tốt"']);
    expect(rows[1]).toEqual(["2026-12-01T09:00:01.000Z", "1", "2", ""]);
  });

  it("continues from x-next-cursor when a part is full: the parts together hold every row once", async () => {
    const many = await startDynalite();
    try {
      const store = createDynamoStorage({ client: many.documentClient, tableName: many.tableName }).answers;
      // Long comments full of quotes and line breaks (which JSON escaping makes longer): 150 responses of
      // ~45 KB each exceed one 5 MB answer.
      const long = 'Lorem ipsum, "dolor" sit amet.\n'.repeat(1500);
      for (let i = 0; i < 150; i++)
        await store.save({ ...feedback(i), answers: { rating: "5", comment: `${i} ${long}` } });
      const bigApi = await buildAdminApiHandler(
        createServices(
          {
            [env.adminApiToken]: token,
            [env.logLevel]: "silent",
            [env.tableName]: many.tableName,
            [env.dynamodbEndpoint]: many.endpoint,
          },
          { content: defaultContent(), clock: new FakeClock(), jobs: noJobs },
        ),
      );
      const ids: string[] = [];
      let cursor: string | undefined;
      let parts = 0;
      do {
        const result = await bigApi({
          routeKey: responses,
          headers: { authorization: `Bearer ${token}`, accept: "text/csv" },
          pathParameters: { id: "course-feedback" },
          ...(cursor ? { queryStringParameters: { cursor } } : {}),
        } as unknown as APIGatewayProxyEventV2);
        // What Lambda returns must stay under its 6 MB response limit.
        expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(6 * 1024 * 1024);
        const headers = (result.headers ?? {}) as Record<string, string>;
        const rows = parseCsv(String(result.body).slice(csvBom.length)).slice(1);
        ids.push(...rows.map((row) => (row[3] as string).split(" ")[0] as string));
        cursor = headers["x-next-cursor"];
        if (cursor)
          expect(headers.link).toBe(
            `</admin/questionnaires/course-feedback/responses?cursor=${cursor}>; rel="next"`,
          );
        parts++;
      } while (cursor);

      expect(parts).toBeGreaterThan(1);
      expect(ids).toEqual(Array.from({ length: 150 }, (_, i) => String(i)));
    } finally {
      await many.stop();
    }
  });
});

describe("GET /admin/questionnaires/{id}/results", () => {
  it("answers the aggregate with the questionnaire's words in the asked language", async () => {
    const result = await request("GET /admin/questionnaires/{id}/results", {
      id: "course-feedback",
      query: { lang: "zh-TW" },
    });

    expect(result.statusCode).toBe(200);
    const results = body(result);
    expect(results).toMatchObject({
      questionnaireId: "course-feedback",
      completions: 25,
      byVersion: { "1": 25 },
      language: "zh-TW",
      title: "課程意見回饋",
    });
    expect(results.questions[0]).toMatchObject({
      id: "rating",
      type: "choice",
      answered: 25,
      numbers: { average: 3, min: 1, max: 5 },
    });
    expect(results.questions[0].counts[4]).toEqual({
      value: "5",
      count: 5,
      offered: true,
      label: "5 ⭐⭐⭐⭐⭐",
    });
    expect(results.questions[1]).toMatchObject({ id: "comment", type: "text", answered: 13 });
  });
});

describe("questionnaire routes: access and unknown ids", () => {
  it("lists the content's questionnaires", async () => {
    const result = await request("GET /admin/questionnaires", { query: { lang: "vi" } });
    expect(body(result).items.map((q: { id: string; title: string }) => [q.id, q.title])).toEqual(
      defaultContent().questionnaires.map((q) => [q.id, q.title.vi]),
    );
  });

  it.each([responses, "GET /admin/questionnaires/{id}/results"])(
    "answers 404 naming the known ids: %s",
    async (route) => {
      const result = await request(route, { id: "no-such-form" });
      expect(result.statusCode).toBe(404);
      expect(body(result).error).toMatch(/"no-such-form".*learner-profile/);
    },
  );

  it.each([
    ["no token", null],
    ["a wrong token", "Bearer nope"],
  ])("answers 401 with %s and reads nothing", async (_case, auth) => {
    for (const route of [responses, "GET /admin/questionnaires/{id}/results", "GET /admin/questionnaires"]) {
      const result = await request(route, { id: "course-feedback", auth, headers: { accept: "text/csv" } });
      expect(result.statusCode).toBe(401);
      expect(String(result.body)).not.toContain("Bình luận");
    }
  });
});
