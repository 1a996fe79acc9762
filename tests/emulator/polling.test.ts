import { run } from "@grammyjs/runner";
import type { Bot } from "grammy";
import { TelegramEmulator } from "../../local/telegram/emulator";
import { botOn, sleep } from "./helpers";

describe("getUpdates long polling", () => {
  let emulator: TelegramEmulator;
  /** Stops whatever polls, even when a test fails half-way, so jest can exit. */
  const stopPolling: Array<() => Promise<unknown>> = [];
  const ada = 3001;

  beforeEach(async () => {
    emulator = new TelegramEmulator();
    await emulator.start();
    emulator.createUser({ id: ada, first_name: "Ada" });
  });

  afterEach(async () => {
    for (const stop of stopPolling.splice(0)) await stop();
    await emulator.stop();
  });

  function startPolling(bot: Bot): Promise<void> {
    const polling = bot.start({ timeout: 5 });
    stopPolling.push(async () => {
      await bot.stop();
      await polling;
    });
    return polling;
  }

  it("serves grammY's bot.start(), which confirms what it handled", async () => {
    const bot = botOn(emulator);
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    startPolling(bot);

    emulator.sendText(ada, "one");
    emulator.sendText(ada, "two");
    await emulator.waitFor(() => emulator.lastBotMessage(ada)?.text === "echo: two");
    await bot.stop();

    expect(emulator.chatHistory(ada).map((entry) => entry.text)).toEqual([
      "one",
      "two",
      "echo: one",
      "echo: two",
    ]);
    expect(emulator.webhookInfo()).toMatchObject({ pending_update_count: 0 });
  });

  it("holds a getUpdates call open instead of letting the bot busy-loop", async () => {
    const bot = botOn(emulator);
    bot.on("message", () => undefined);
    startPolling(bot);
    await emulator.waitFor(() => emulator.callsOf("deleteWebhook").length > 0); // bot.start() does this first

    await sleep(300);

    // Calls are logged when answered: the first getUpdates is still waiting, so none is logged yet.
    expect(emulator.callsOf("getUpdates")).toHaveLength(0);
  });

  it("answers a waiting getUpdates as soon as an update arrives", async () => {
    const waiting = emulator.invoke("getUpdates", { timeout: 10 });
    await sleep(20);

    const update = emulator.sendText(ada, "wake up");

    await expect(waiting).resolves.toEqual({ ok: true, result: [update] });
  });

  it("honours offset and limit, forgetting confirmed updates", async () => {
    const first = emulator.sendText(ada, "1");
    const second = emulator.sendText(ada, "2");
    emulator.sendText(ada, "3");

    const page = await emulator.invoke("getUpdates", { limit: 2 });
    const rest = await emulator.invoke("getUpdates", { offset: second.update_id + 1 });

    expect(page).toMatchObject({
      ok: true,
      result: [{ update_id: first.update_id }, { update_id: second.update_id }],
    });
    expect(rest).toMatchObject({ ok: true, result: [{ message: { text: "3" } }] });
    expect(emulator.webhookInfo()).toMatchObject({ pending_update_count: 1 });
  });

  it("works with @grammyjs/runner", async () => {
    const bot = botOn(emulator);
    bot.on("message:text", (ctx) => ctx.reply(ctx.message.text.toUpperCase()));
    const runner = run(bot);
    stopPolling.push(() => (runner.isRunning() ? runner.stop() : Promise.resolve()));

    emulator.sendText(ada, "shout");
    await emulator.waitFor(() => emulator.lastBotMessage(ada)?.text === "SHOUT");

    expect(emulator.lastBotMessage(ada)?.text).toBe("SHOUT");
  });

  it("answers 409 Conflict while a webhook is set, as Telegram does", async () => {
    const bot = botOn(emulator);
    await bot.api.setWebhook("http://127.0.0.1:9/telegram/webhook");

    await expect(bot.api.getUpdates()).rejects.toMatchObject({
      error_code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
  });

  it("ends an older waiting getUpdates with 409 when a newer one arrives", async () => {
    const older = emulator.invoke("getUpdates", { timeout: 10 });
    await sleep(20);

    await emulator.invoke("getUpdates", { timeout: 0 });

    await expect(older).resolves.toMatchObject({ ok: false, error_code: 409 });
  });
});
