/**
 * The evaluation report as a person sees it: `lambdagram nlp evaluate ... --report` writes an HTML file that
 * headless Chromium opens offline and renders with its confusion-matrix heat map and per-intent table.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { main } from "../../nlp/cli";
import { artifactPath, launchChromium } from "../helpers/browser-chromium";
import { fixtureUtterances } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "lambdagram-nlp-report-"));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

function jsonl(name: string, rows: { text: string; intent: string }[]): string {
  const file = join(dir, name);
  writeFileSync(file, rows.map((row) => JSON.stringify(row)).join("\n"));
  return file;
}

it("renders the report's heat map and per-intent table in a browser, with no network", async () => {
  const rows = fixtureUtterances.map(({ text, intent }) => ({ text, intent }));
  const report = join(dir, "report.html");
  const code = main(
    [
      "evaluate",
      "--train",
      jsonl(
        "train.jsonl",
        rows.filter((_, i) => i % 3 !== 0),
      ),
      "--test",
      jsonl(
        "test.jsonl",
        rows.filter((_, i) => i % 3 === 0),
      ),
      "--report",
      report,
    ],
    () => {},
  );
  expect(code).toBe(0);

  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith("file:")) requests.push(request.url());
  });
  await page.goto(`file://${report}`);

  const heatMap = page.locator("svg.heatmap").first();
  await heatMap.waitFor({ timeout: 10_000 });
  const box = await heatMap.boundingBox();
  expect(box?.width).toBeGreaterThan(100);
  expect(box?.height).toBeGreaterThan(100);
  // One cell per non-zero (gold, predicted) pair; the diagonal is drawn and shaded.
  expect(await heatMap.locator("rect.cell.diagonal").count()).toBe(5);
  const fill = await heatMap.locator("rect.cell.diagonal").first().getAttribute("fill");
  expect(fill).toMatch(/^hsl\(212,75%,\d+%\)$/);
  const cellBox = await heatMap.locator("rect.cell").first().boundingBox();
  expect(cellBox?.width).toBeGreaterThan(2);
  expect(await heatMap.locator("text").filter({ hasText: "qa.lambda-memory" }).count()).toBe(2);

  const table = page.locator("table.per-intent");
  await expect(table.locator("tbody tr").count()).resolves.toBe(5);
  await expect(page.getByRole("heading", { name: "Confusion matrix" }).isVisible()).resolves.toBe(true);
  await page.screenshot({ path: artifactPath("nlp-report.png"), fullPage: true });
  expect(requests).toEqual([]);
  await page.close();
}, 60_000);
