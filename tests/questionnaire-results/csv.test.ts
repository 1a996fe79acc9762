/** CSV export: RFC 4180 quoting, BOM, formula-injection guard, and exports paged from a store within a budget. */
import { csvBom, csvField, csvHeader, csvRow } from "../../bot/questionnaire-results/csv";
import { exportCsv, ResponseTooLargeError } from "../../bot/questionnaire-results/read";
import { createMemoryStorage } from "../../bot/storage/memory";
import { parseCsv } from "../helpers/csv";
import { response, survey } from "./fixtures";

describe("csvField", () => {
  it.each([
    ["plain", "plain"],
    ["with, comma", '"with, comma"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\r\nlf", '"cr\r\nlf"'],
    ["Xin chào, bạn", '"Xin chào, bạn"'],
    ["課程很好", "課程很好"],
  ])("writes %j as %j", (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it.each([
    ['=HYPERLINK("http://evil")', '"\'=HYPERLINK(""http://evil"")"'],
    ["+1+2", "'+1+2"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
  ])("prefixes the formula-like text %j with an apostrophe", (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it("writes numbers as numbers (a negative whole number is not a formula) and nothing as an empty field", () => {
    expect(csvField(-3)).toBe("-3");
    expect(csvField(42)).toBe("42");
    expect(csvField(undefined)).toBe("");
  });
});

describe("csvHeader and csvRow", () => {
  it("has the fixed columns, then a column per question in content order", () => {
    expect(csvHeader(survey)).toBe("submittedAt,questionnaireVersion,rating,level,topics,age,comment\r\n");
  });

  it("joins several-of values with '; ', leaves skipped answers empty and ends each row with CRLF", () => {
    const row = csvRow(
      survey,
      response(
        { rating: "4", level: "beginner", topics: ["lambda", "iam"], comment: "=cmd|' /C calc'!A0" },
        { submittedAt: "2026-12-01T08:00:00.000Z", questionnaireVersion: 1 },
      ),
    );

    expect(row).toBe("2026-12-01T08:00:00.000Z,1,4,beginner,lambda; iam,,'=cmd|' /C calc'!A0\r\n");
  });
});

describe("exportCsv", () => {
  async function storeWith(count: number) {
    const storage = createMemoryStorage();
    for (let i = 0; i < count; i++)
      await storage.answers.save(
        response({
          rating: String((i % 5) + 1),
          level: "beginner",
          topics: ["s3"],
          comment: `Bình luận ${i}, "ok"`,
        }),
      );
    return storage.answers;
  }

  it("writes a BOM, the header and one parsable row per response, across pages", async () => {
    const answers = await storeWith(12);

    const part = await exportCsv(answers, survey, { maxBytes: 1_000_000, pageSize: 5 });

    expect(part.csv.startsWith(csvBom)).toBe(true);
    expect(part.rows).toBe(12);
    expect(part.nextCursor).toBeUndefined();
    expect(part.bytes).toBe(Buffer.byteLength(part.csv));
    const [header, ...rows] = parseCsv(part.csv.slice(csvBom.length));
    expect(header).toEqual([
      "submittedAt",
      "questionnaireVersion",
      "rating",
      "level",
      "topics",
      "age",
      "comment",
    ]);
    expect(rows).toHaveLength(12);
    expect(rows[11]?.[6]).toBe('Bình luận 11, "ok"');
  });

  it("stops at the byte budget at a page boundary and continues from its cursor without gaps or repeats", async () => {
    const answers = await storeWith(30);
    const comments: string[] = [];
    let cursor: string | undefined;
    let parts = 0;

    do {
      const part = await exportCsv(answers, survey, {
        maxBytes: 900,
        pageSize: 4,
        ...(cursor ? { cursor } : {}),
      });
      expect(part.bytes).toBeLessThanOrEqual(900);
      comments.push(
        ...parseCsv(part.csv.slice(csvBom.length))
          .slice(1)
          .map((row) => row[6] as string),
      );
      cursor = part.nextCursor;
      parts++;
    } while (cursor);

    expect(parts).toBeGreaterThan(2);
    expect(comments).toEqual(Array.from({ length: 30 }, (_, i) => `Bình luận ${i}, "ok"`));
  });

  it("reads a first page too big for the budget again in smaller pages, and refuses a budget below one row", async () => {
    const answers = await storeWith(10);

    const part = await exportCsv(answers, survey, { maxBytes: 300, pageSize: 100 });
    expect(part.rows).toBeGreaterThan(0);
    expect(part.bytes).toBeLessThanOrEqual(300);
    expect(part.nextCursor).toBeDefined();

    await expect(exportCsv(answers, survey, { maxBytes: 100 })).rejects.toThrow(ResponseTooLargeError);
  });

  it("ends a part early when asked to stop, with the cursor of the next page", async () => {
    const answers = await storeWith(10);
    let pages = 0;

    const part = await exportCsv(answers, survey, {
      maxBytes: 1_000_000,
      pageSize: 3,
      // Asked before every page after the first: stop before the third.
      shouldStop: () => ++pages >= 2,
    });

    expect(part.rows).toBe(6);
    const rest = await exportCsv(answers, survey, { maxBytes: 1_000_000, cursor: part.nextCursor });
    expect(rest.rows).toBe(4);
  });
});
