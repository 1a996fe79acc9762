/**
 * /stats through the bot: real updates go through the webhook handler, their metrics (stamped by the fake clock)
 * are captured by the EMF reader, and the admin's /stats reads them back with the profiles' counts, in the
 * admin's language.
 */
import { translator } from "../../bot/i18n";
import { PagedAudienceCounter } from "../../bot/stats/audience";
import { EmfMetricsReader } from "../../bot/stats/emf-reader";
import { MetricsUnavailableError } from "../../bot/stats/port";
import { createMemoryStorage } from "../../bot/storage/memory";
import { createHarness, texts } from "../helpers/bot-harness";
import { passThroughChats } from "../helpers/chats";

const day = 86_400_000;

function statsBot() {
  const reader = new EmfMetricsReader();
  const storage = createMemoryStorage();
  const bot = createHarness({
    storage,
    metricSink: reader.sink,
    stats: { metrics: reader, audience: new PagedAudienceCounter(storage.users) },
    config: { adminUserIds: [1] },
  });
  return { bot, reader };
}

describe("/stats", () => {
  it("shows an admin the users, activity, messages, tiers, outcomes and top intents from real updates", async () => {
    const { bot, reader } = statsBot();
    const question = bot.content.intents.find((i) => i.id === "qa.lambda-pricing");
    const asked = question?.examples.en?.[0] ?? "";
    bot.clock.set("2026-12-05T10:00:00Z");
    await bot.say(7, "/start");
    await bot.say(7, asked);
    await bot.say(7, "/subscribe");
    await bot.say(8, "/mode nlp");
    await bot.say(8, "qwzx plorb");
    bot.clock.advance(day);
    await bot.say(7, asked);
    await bot.say(7, asked);

    const calls = await bot.say(1, "/stats");

    const t = translator(bot.content, "en");
    const [text] = texts(calls);
    const lines = text?.split("\n") ?? [];
    expect(lines[0]).toBe(t("stats.title", { today: "2026-12-06" }));
    // Profiles: 7, 8 and the admin (created before /stats ran); 7 subscribed. The /stats update's own metrics
    // are emitted after it is saved, so activity is 7 today, 7 and 8 this week, both new.
    expect(lines[1]).toBe(t("stats.users", { total: 3, subscribers: 1 }));
    expect(lines[2]).toBe(t("stats.active", { today: 1, week: 2, month: 2, new: 2 }));
    // 4 free-text messages: 3 rules answered, 1 NLP declined; a sparkline of 5 empty days, 2, then 2.
    expect(lines.slice(4, 6).join("\n")).toBe(
      t("stats.messages", { total: 4, sparkline: "▁▁▁▁▁██", first: "11-30", last: "12-06" }),
    );
    expect(lines).toContain(t("stats.tiers", { rules: 75, nlp: 25 }));
    expect(lines).toContain(t("stats.outcomes", { answered: 75, clarified: 0, declined: 25 }));
    expect(lines).toContain(`1. ${question?.title.en} · 3`);
    expect(lines.at(-1)).toBe(t("stats.broadcasts", { count: 0 }));
    expect(reader.ingested).toBeGreaterThan(10);
  });

  it("counts a user active once a day: not again for a re-delivered update, a second message or a group", async () => {
    const lines: string[] = [];
    const bot = createHarness({ metricLines: lines });
    const active = () =>
      lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((m) => "ActiveUser" in m);
    bot.clock.set("2026-12-05T23:00:00Z");
    const first = bot.messageUpdate(7, "/start");
    await bot.deliver(first);
    await bot.deliver(first); // Telegram re-sends it
    await bot.say(7, "/help");
    const group = bot.messageUpdate(7, "hello");
    const inGroup = {
      ...group,
      message: { ...(group.message as object), chat: { id: -100200, type: "group", title: "Study group" } },
    } as typeof group;
    await bot.deliver(inGroup);
    expect(active().map((m) => m.Gap)).toEqual(["new"]);

    bot.clock.set("2026-12-06T00:30:00Z"); // past midnight UTC: a new day
    await bot.say(7, "/help");
    bot.clock.set("2026-12-09T08:00:00Z");
    await bot.say(7, "/help");
    expect(active().map((m) => m.Gap)).toEqual(["new", "1", "3"]);
    const stored = await bot.storage.chats.load(7);
    expect(stored?.state.activeDay).toBe(Date.parse("2026-12-09") / 86_400_000);
  });

  it("counts one active day when two updates of a new day race and one is handled again", async () => {
    const inner = createMemoryStorage();
    let pauseFirstSave: (() => void) | undefined;
    let saves = 0;
    let racing = false;
    const lines: string[] = [];
    const bot = createHarness({
      metricLines: lines,
      storage: {
        ...inner,
        chats: {
          ...passThroughChats(inner.chats),
          save: async (chatId, state, expected) => {
            if (racing && ++saves === 1) await new Promise<void>((resolve) => (pauseFirstSave = resolve));
            return inner.chats.save(chatId, state, expected);
          },
        },
      },
    });
    bot.clock.set("2026-12-05T10:00:00Z");
    await bot.say(7, "/start");
    bot.clock.set("2026-12-06T10:00:00Z");
    racing = true;
    const first = bot.deliver(bot.messageUpdate(7, "/help"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = bot.deliver(bot.messageUpdate(7, "/help"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    pauseFirstSave?.();
    expect(await Promise.all([first, second])).toEqual([200, 200]);

    expect(bot.logger.entries.some((e) => e.message.includes("concurrently"))).toBe(true);
    const gaps = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((m) => "ActiveUser" in m);
    expect(gaps.map((m) => m.Gap)).toEqual(["new", "1"]);
  });

  it("shows neither the stats nor the inbox in a group, where other members would read them", async () => {
    const { bot } = statsBot();
    await bot.say(1, "I want to know about the moon landing"); // declined: an inbox entry
    for (const command of ["/stats", "/inbox"]) {
      const update = bot.messageUpdate(1, command);
      const inGroup = {
        ...update,
        message: { ...(update.message as object), chat: { id: -100300, type: "supergroup", title: "Staff" } },
      } as typeof update;
      bot.newCalls();
      await bot.deliver(inGroup);
      expect(texts(bot.newCalls())).toEqual([bot.content.messages["admin.privateOnly"]?.en]);
    }
    // In the private chat both work.
    expect(texts(await bot.say(1, "/stats"))[0]).toContain("📊");
    expect(texts(await bot.say(1, "/inbox")).join("\n")).toContain("moon landing");
  });

  it("answers in the admin's language", async () => {
    const { bot } = statsBot();
    bot.user(1, { language_code: "vi" });
    const [text] = texts(await bot.say(1, "/stats"));
    const t = translator(bot.content, "vi");
    expect(text).toContain(t("stats.users", { total: 1, subscribers: 0 }));
    expect(text).toContain(t("stats.noMessages"));
    expect(text).toContain(t("stats.noIntents"));
  });

  it("refuses anyone who is not an admin, and reads nothing", async () => {
    const reads: string[] = [];
    const bot = createHarness({
      config: { adminUserIds: [1] },
      stats: {
        metrics: {
          dailySums: async () => {
            reads.push("metrics");
            return [];
          },
        },
        audience: {
          count: async () => {
            reads.push("audience");
            return { users: 0, subscribers: 0 };
          },
        },
      },
    });
    expect(texts(await bot.say(7, "/stats"))).toEqual([bot.content.messages["stats.refused"]?.en]);
    expect(reads).toEqual([]);
  });

  it("says stats are not set up when the bot has no stats sources", async () => {
    const bot = createHarness({ config: { adminUserIds: [1] } });
    expect(texts(await bot.say(1, "/stats"))).toEqual([bot.content.messages["stats.unavailable"]?.en]);
  });

  it("says so when CloudWatch cannot be read, and logs why", async () => {
    const bot = createHarness({
      config: { adminUserIds: [1] },
      stats: {
        metrics: {
          dailySums: async () => {
            throw new MetricsUnavailableError("GetMetricData failed: AccessDenied.");
          },
        },
        audience: { count: async () => ({ users: 0, subscribers: 0 }) },
      },
    });
    expect(texts(await bot.say(1, "/stats"))).toEqual([bot.content.messages["stats.failed"]?.en]);
    expect(bot.logger.entries.some((e) => e.message === "stats unavailable")).toBe(true);
  });
});
