import type { IncomingMessage, ServerResponse } from "node:http";
import { type Bot, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { TelegramEmulator } from "../../local/telegram/emulator";
import { botOn, sleep, startServer } from "./helpers";

/** Reads a webhook POST body as an Update. */
async function readUpdate(req: IncomingMessage): Promise<Update> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Update;
}

/** Resolves once `condition` holds, or after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(5);
}

/** Serves grammY's webhook handler, answering 500 when the bot throws (as a Lambda would). */
function grammyWebhook(bot: Bot, secretToken: string) {
  const handle = webhookCallback(bot, "http", { secretToken });
  return (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  };
}

describe("webhook delivery", () => {
  let emulator: TelegramEmulator;
  const closers: Array<() => Promise<void>> = [];
  const ada = 2001;
  const bob = 2002;

  beforeEach(async () => {
    emulator = new TelegramEmulator({ delivery: { initialBackoffMs: 20, maxBackoffMs: 100 } });
    await emulator.start();
    emulator.createUser({ id: ada, first_name: "Ada" });
    emulator.createUser({ id: bob, first_name: "Bob" });
  });

  afterEach(async () => {
    await emulator.stop();
    for (const close of closers.splice(0)) await close();
  });

  it("delivers /start to grammY's webhook handler with the secret, and the reply lands in the chat", async () => {
    const bot = botOn(emulator);
    bot.command("start", (ctx) => ctx.reply(`Welcome, ${ctx.from?.first_name}!`));
    const server = await startServer(grammyWebhook(bot, "s3cret"));
    closers.push(server.close);
    await bot.api.setWebhook(`${server.url}/telegram/webhook`, { secret_token: "s3cret" });

    const update = emulator.sendText(ada, "/start");
    await emulator.idle();

    expect(update.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    expect(emulator.chatHistory(ada).map((entry) => [entry.sender, entry.text])).toEqual([
      ["user", "/start"],
      ["bot", "Welcome, Ada!"],
    ]);
    expect(await bot.api.getWebhookInfo()).toMatchObject({
      url: `${server.url}/telegram/webhook`,
      pending_update_count: 0,
      max_connections: 40,
    });
  });

  it("keeps re-sending while the bot rejects the secret, and recovers once the secrets match", async () => {
    const bot = botOn(emulator);
    bot.on("message:text", (ctx) => ctx.reply("Got it"));
    const server = await startServer(grammyWebhook(bot, "right-secret"));
    closers.push(server.close);
    await bot.api.setWebhook(server.url, { secret_token: "wrong-secret" });

    const update = emulator.sendText(ada, "hello");
    await emulator.waitFor(() => emulator.deliveries.length >= 3);
    const info = await bot.api.getWebhookInfo();
    await bot.api.setWebhook(server.url, { secret_token: "right-secret" });
    await emulator.idle();

    expect(info).toMatchObject({
      pending_update_count: 1,
      last_error_message: "Wrong response from the webhook: 401 Unauthorized",
      last_error_date: expect.any(Number),
    });
    const attempts = emulator.deliveries.filter((attempt) => attempt.updateId === update.update_id);
    expect(attempts.slice(0, 3).map((attempt) => attempt.status)).toEqual([401, 401, 401]);
    expect(attempts.at(-1)).toMatchObject({ ok: true, status: 200 });
    expect(emulator.lastBotMessage(ada)?.text).toBe("Got it");
  });

  it("re-delivers the same update after the bot fails with 500, and the chat's later updates wait behind it", async () => {
    const bot = botOn(emulator);
    const handled: Array<[number, string]> = [];
    let failuresLeft = 1;
    bot.on("message:text", async (ctx) => {
      handled.push([ctx.update.update_id, ctx.message.text]);
      if (failuresLeft-- > 0) throw new Error("database hiccup");
      await ctx.reply(`ok: ${ctx.message.text}`);
    });
    const server = await startServer(grammyWebhook(bot, "s3cret"));
    closers.push(server.close);
    await bot.api.setWebhook(server.url, { secret_token: "s3cret" });

    const first = emulator.sendText(ada, "one");
    const second = emulator.sendText(ada, "two");
    await emulator.idle();

    expect(handled).toEqual([
      [first.update_id, "one"],
      [first.update_id, "one"],
      [second.update_id, "two"],
    ]);
    expect(emulator.deliveries.map((attempt) => [attempt.updateId, attempt.attempt, attempt.status])).toEqual(
      [
        [first.update_id, 1, 500],
        [first.update_id, 2, 200],
        [second.update_id, 1, 200],
      ],
    );
    expect(emulator.chatHistory(ada).map((entry) => entry.text)).toEqual([
      "one",
      "two",
      "ok: one",
      "ok: two",
    ]);
  });

  it("re-sends after a network error too", async () => {
    let dropsLeft = 2;
    const seen: number[] = [];
    const server = await startServer(async (req, res) => {
      const update = await readUpdate(req);
      seen.push(update.update_id);
      if (dropsLeft-- > 0) req.socket.destroy();
      else res.writeHead(200).end();
    });
    closers.push(server.close);
    await emulator.invoke("setWebhook", { url: server.url });

    const update = emulator.sendText(bob, "are you there?");
    await emulator.idle();

    expect(seen).toEqual([update.update_id, update.update_id, update.update_id]);
    expect(
      emulator.deliveries.slice(0, 2).every((attempt) => attempt.status === undefined && !attempt.ok),
    ).toBe(true);
  });

  it("keeps retrying through many quick failures until the webhook answers", async () => {
    let failuresLeft = 40;
    const server = await startServer(async (req, res) => {
      await readUpdate(req);
      res.writeHead(failuresLeft-- > 0 ? 502 : 200).end();
    });
    closers.push(server.close);
    emulator.updateSettings({ delivery: { initialBackoffMs: 1, maxBackoffMs: 2 } });
    await emulator.invoke("setWebhook", { url: server.url });

    const update = emulator.sendText(ada, "persistent");
    await emulator.idle();

    const attempts = emulator.deliveries.filter((attempt) => attempt.updateId === update.update_id);
    expect(attempts).toHaveLength(41);
    expect(attempts.at(-1)).toMatchObject({ attempt: 41, ok: true });
  });

  it("sends one update per chat at a time while different chats are served concurrently", async () => {
    const inFlightByChat = new Map<number, number>();
    let inFlight = 0;
    let mostInFlight = 0;
    let mostInOneChat = 0;
    const order: string[] = [];
    const server = await startServer(async (req, res) => {
      const update = await readUpdate(req);
      const chatId = update.message?.chat.id ?? 0;
      inFlightByChat.set(chatId, (inFlightByChat.get(chatId) ?? 0) + 1);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      mostInOneChat = Math.max(mostInOneChat, ...inFlightByChat.values());
      // Hold each chat's first update until the other chat's is in flight too (or give up after a second),
      // so concurrency shows however slow the machine; later updates are short.
      if (update.message?.text?.endsWith("1")) await until(() => inFlight >= 2, 1000);
      else await sleep(10);
      order.push(`${chatId}:${update.message?.text}`);
      inFlightByChat.set(chatId, (inFlightByChat.get(chatId) ?? 1) - 1);
      inFlight -= 1;
      res.writeHead(200).end();
    });
    closers.push(server.close);
    await emulator.invoke("setWebhook", { url: server.url });

    for (const text of ["a1", "a2", "a3"]) emulator.sendText(ada, text);
    for (const text of ["b1", "b2", "b3"]) emulator.sendText(bob, text);
    await emulator.idle();

    expect(mostInOneChat).toBe(1);
    expect(mostInFlight).toBe(2);
    expect(order.filter((entry) => entry.startsWith(`${ada}:`))).toEqual([
      `${ada}:a1`,
      `${ada}:a2`,
      `${ada}:a3`,
    ]);
    expect(order.filter((entry) => entry.startsWith(`${bob}:`))).toEqual([
      `${bob}:b1`,
      `${bob}:b2`,
      `${bob}:b3`,
    ]);
  });

  it("respects max_connections across chats", async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const server = await startServer(async (req, res) => {
      await readUpdate(req);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await sleep(20);
      inFlight -= 1;
      res.writeHead(200).end();
    });
    closers.push(server.close);
    await emulator.invoke("setWebhook", { url: server.url, max_connections: 1 });

    emulator.sendText(ada, "x");
    emulator.sendText(bob, "y");
    await emulator.idle();

    expect(mostInFlight).toBe(1);
  });

  it("drops pending updates on request and reports what is pending", async () => {
    const server = await startServer((_req, res) => res.writeHead(503).end());
    closers.push(server.close);
    await emulator.invoke("setWebhook", { url: server.url });
    emulator.sendText(ada, "lost 1");
    emulator.sendText(ada, "lost 2");

    expect(emulator.webhookInfo()).toMatchObject({ pending_update_count: 2 });
    const deleted = await emulator.invoke("deleteWebhook", { drop_pending_updates: true });

    expect(deleted).toEqual({ ok: true, result: true, description: "Webhook was deleted" });
    expect(emulator.webhookInfo()).toEqual({
      url: "",
      has_custom_certificate: false,
      pending_update_count: 0,
    });
    await emulator.idle({ timeoutMs: 100 });
  });

  it("runs a method the webhook answers with in its response body (a webhook reply)", async () => {
    const server = await startServer(async (req, res) => {
      const update = await readUpdate(req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ method: "sendMessage", chat_id: update.message?.chat.id, text: "answered inline" }),
      );
    });
    closers.push(server.close);
    await emulator.invoke("setWebhook", { url: server.url });

    emulator.sendText(ada, "hi");
    await emulator.idle();

    expect(emulator.lastBotMessage(ada)?.text).toBe("answered inline");
  });
});
