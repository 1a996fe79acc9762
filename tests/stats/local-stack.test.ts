/**
 * Stats on the local stack, end to end: users chat through the Telegram emulator, the webhook handler's
 * metrics are captured as CloudWatch would read them (local/metrics-capture.ts), and the admin's /stats and
 * `GET /admin/stats` show those figures; with a data folder the capture survives a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BotStats } from "../../bot/stats/summary";
import { env } from "../../contracts/runtime";
import { capturedMetricsFile } from "../../local/metrics-capture";
import type { LocalStack } from "../../local/stack";
import type { TelegramEmulator } from "../../local/telegram/emulator";
import { startTestStack } from "../helpers/local-stack";

async function say(emulator: TelegramEmulator, userId: number, text: string): Promise<string[]> {
  const before = emulator.chatHistory(userId).length;
  emulator.sendText(userId, text);
  await emulator.idle({ timeoutMs: 10_000 });
  return emulator
    .chatHistory(userId)
    .slice(before)
    .filter((m) => m.sender === "bot")
    .map((m) => m.text ?? "");
}

async function adminStats(stack: LocalStack): Promise<{ status: number; stats: BotStats }> {
  const answer = await fetch(`${stack.url}/admin/stats`, {
    headers: { authorization: `Bearer ${stack.environment[env.adminApiToken]}` },
  });
  return { status: answer.status, stats: (await answer.json()) as BotStats };
}

describe("stats on the local stack", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "lambdagram-stats-"));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows real figures after real updates, in Telegram and over the admin API, and keeps them across a restart, and sets them aside with the data", async () => {
    const first = await startTestStack({ dataDir, adminUserIds: [4242] });
    let before: BotStats;
    try {
      const emulator = first.emulator as TelegramEmulator;
      const lan = emulator.createUser({ first_name: "Lan", language_code: "vi" });
      const ben = emulator.createUser({ first_name: "Ben", language_code: "en" });
      emulator.createUser({ id: 4242, first_name: "Admin", language_code: "en" });
      await say(emulator, lan.id, "/start");
      await say(emulator, lan.id, "lambda pricing");
      await say(emulator, ben.id, "lambda pricing");
      await say(emulator, ben.id, "/subscribe");
      await say(emulator, ben.id, "qwzx plorb");

      const [text] = await say(emulator, 4242, "/stats");
      expect(text).toContain("👥 Users: 3 · subscribed to tips: 1");
      expect(text).toContain("🟢 Active today 2 · 7 days 2 · 30 days 2 · new this week 2");
      expect(text).toContain("💬 Messages in the last 7 days: 3");
      expect(text).toContain("✅ Answered 67% · ❓ Did you mean 0% · 🚫 Declined 33%");
      expect(text).toContain("1. Lambda pricing · 2");
      // Non-admins are refused.
      expect(await say(emulator, ben.id, "/stats")).toEqual([
        "Sorry, only the bot's admins can see the stats.",
      ]);

      const answer = await adminStats(first);
      expect(answer.status).toBe(200);
      before = answer.stats;
      // The admin's /stats and Ben's refused one count now.
      expect(before.users).toMatchObject({ total: 3, subscribers: 1, activeToday: 3, new7d: 3 });
      expect(before.week).toMatchObject({
        messages: 3,
        byTier: { rules: 3, nlp: 0 },
        answered: 2,
        declined: 1,
        topIntents: [{ intent: "qa.lambda-pricing", count: 2 }],
      });
      // 7 updates went through the webhook, each counted once.
      expect(before.days.at(-1)?.updates).toBe(7);
    } finally {
      await first.stop();
    }
    expect(readFileSync(join(dataDir, capturedMetricsFile), "utf8").split("\n").length).toBeGreaterThan(10);

    const second = await startTestStack({ dataDir, adminUserIds: [4242] });
    try {
      const { stats } = await adminStats(second);
      expect(stats.users).toEqual(before.users);
      expect(stats.week).toEqual(before.week);
    } finally {
      await second.stop();
    }

    // The bot's data deleted by hand: the stack moves the rest aside, the metrics too, and starts from zero.
    rmSync(join(dataDir, "dynamodb"), { recursive: true });
    const said: string[] = [];
    const third = await startTestStack({ dataDir, say: (line) => said.push(line) });
    try {
      const { stats } = await adminStats(third);
      expect(stats.users).toEqual({
        total: 0,
        subscribers: 0,
        activeToday: 0,
        active7d: 0,
        active30d: 0,
        new7d: 0,
      });
      expect(stats.week.messages).toBe(0);
      expect(said.join("\n")).toMatch(
        /captured metrics went with that data, to .*metrics\.jsonl\.set-aside-/,
      );
    } finally {
      await third.stop();
    }
  });
});
