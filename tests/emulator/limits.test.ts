import { autoRetry } from "@grammyjs/auto-retry";
import { type Bot, GrammyError, HttpError } from "grammy";
import { TelegramEmulator } from "../../local/telegram/emulator";
import { UserBlockedBotError } from "../../local/telegram/errors";
import { botOn, fakeClock } from "./helpers";

/** Sends to every chat at once and sorts the outcomes. */
async function sendToAll(bot: Bot, chatIds: number[], options: { allow_paid_broadcast?: boolean } = {}) {
  const results = await Promise.allSettled(
    chatIds.map((chatId) => bot.api.sendMessage(chatId, "news", options)),
  );
  return {
    sent: results.filter((result) => result.status === "fulfilled").length,
    refused: results.flatMap((result) =>
      result.status === "rejected" ? [result.reason as GrammyError] : [],
    ),
  };
}

describe("flood limits, blocked users and injected faults", () => {
  let emulator: TelegramEmulator;
  let clock: ReturnType<typeof fakeClock>;
  let bot: Bot;
  const ada = 4001;
  const bob = 4002;

  beforeEach(async () => {
    clock = fakeClock();
    emulator = new TelegramEmulator({ clock });
    await emulator.start();
    emulator.createUser({ id: ada, first_name: "Ada" });
    emulator.createUser({ id: bob, first_name: "Bob" });
    bot = botOn(emulator);
  });

  afterEach(() => emulator.stop());

  function createUsers(count: number): number[] {
    return Array.from({ length: count }, () => emulator.createUser().id);
  }

  it("has the limits off by default", async () => {
    const { sent } = await sendToAll(bot, [ada, ada, ada, ada, ada, ada]);

    expect(sent).toBe(6);
    expect(emulator.settings().limits).toMatchObject({ enabled: false, bulkPerSecond: 30, perChatBurst: 3 });
  });

  it("answers 429 with retry_after beyond 30 messages in one second across chats", async () => {
    emulator.setLimits({ enabled: true });
    const chats = createUsers(40);

    const { sent, refused } = await sendToAll(bot, chats);

    expect(sent).toBe(30);
    expect(refused).toHaveLength(10);
    expect(refused[0]).toBeInstanceOf(GrammyError);
    expect(refused[0]).toMatchObject({
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    expect(emulator.stats().tooManyRequests).toBe(10);

    clock.advance(1000);
    await expect(bot.api.sendMessage(chats[0] ?? 0, "a second later")).resolves.toMatchObject({
      text: "a second later",
    });
  });

  it("lets a paid broadcast go beyond the bulk limit, up to its own limit", async () => {
    emulator.setLimits({ enabled: true, paidBroadcastPerSecond: 45 });
    const chats = createUsers(50);

    const paid = await sendToAll(bot, chats, { allow_paid_broadcast: true });
    const unpaid = await sendToAll(bot, [ada]); // the bulk window is untouched by paid sends

    expect(paid.sent).toBe(45);
    expect(paid.refused[0]?.parameters.retry_after).toBe(1);
    expect(unpaid.sent).toBe(1);
  });

  it("allows a burst of 3 messages to one chat, then one per second", async () => {
    emulator.setLimits({ enabled: true });

    const burst = await sendToAll(bot, [ada, ada, ada, ada]);
    clock.advance(1000);
    const afterOneSecond = await sendToAll(bot, [ada, ada]);

    expect(burst.sent).toBe(3);
    expect(burst.refused[0]).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
    expect(afterOneSecond.sent).toBe(1);
    expect((await sendToAll(bot, [bob])).sent).toBe(1); // other chats are not affected
  });

  it("makes the per-chat burst configurable at run time", async () => {
    emulator.setLimits({ enabled: true, perChatBurst: 5 });

    expect((await sendToAll(bot, [ada, ada, ada, ada, ada, ada])).sent).toBe(5);
    emulator.setLimits({ enabled: false });
    expect((await sendToAll(bot, [ada, ada])).sent).toBe(2);
  });

  it("allows 20 messages per minute to a group", async () => {
    emulator.setLimits({ enabled: true });
    const group = emulator.createGroup({ title: "Book club" });
    for (let i = 0; i < 20; i += 1) {
      await bot.api.sendMessage(group.id, `message ${i}`);
      clock.advance(1000);
    }

    const refused = await bot.api.sendMessage(group.id, "one too many").catch((error: GrammyError) => error);
    clock.advance(40_000);

    expect(refused).toMatchObject({ error_code: 429, parameters: { retry_after: 40 } });
    await expect(bot.api.sendMessage(group.id, "a minute later")).resolves.toMatchObject({
      chat: { type: "group" },
    });
  });

  it("answers 403 for a user who blocked the bot, and tells the bot with my_chat_member", async () => {
    emulator.blockUser(ada);

    await expect(bot.api.sendMessage(ada, "hello?")).rejects.toMatchObject({
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    await expect(bot.api.sendChatAction(ada, "typing")).rejects.toMatchObject({ error_code: 403 });
    expect(() => emulator.sendText(ada, "hi")).toThrow(UserBlockedBotError);
    const [update] = await bot.api.getUpdates();
    expect(update?.my_chat_member).toMatchObject({
      chat: { id: ada },
      old_chat_member: { status: "member" },
      new_chat_member: { status: "kicked" },
    });

    emulator.unblockUser(ada);
    await expect(bot.api.sendMessage(ada, "welcome back")).resolves.toMatchObject({ text: "welcome back" });
  });

  it("answers 400 chat not found for chats that do not exist", async () => {
    await expect(bot.api.sendMessage(987654321, "anyone?")).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: chat not found",
    });
  });

  it("serves injected 502s, 429s and 403s for the chosen method and chat, then recovers", async () => {
    emulator.injectFaults([
      { method: "sendMessage", chatId: ada, times: 2, response: 502 },
      { method: "sendMessage", chatId: bob, response: 429, retryAfter: 7 },
      { method: "sendPhoto", response: 403 },
    ]);

    const first = await bot.api.sendMessage(ada, "1").catch((error: GrammyError) => error);
    const second = await bot.api.sendMessage(ada, "2").catch((error: GrammyError) => error);
    const third = await bot.api.sendMessage(ada, "3");
    const toBob = await bot.api.sendMessage(bob, "hi").catch((error: GrammyError) => error);
    const photo = await bot.api
      .sendPhoto(bob, "https://example.com/cat.jpg")
      .catch((error: GrammyError) => error);

    expect(first).toMatchObject({ error_code: 502, description: "Bad Gateway" });
    expect(second).toMatchObject({ error_code: 502 });
    expect(third.text).toBe("3");
    expect(toBob).toMatchObject({ error_code: 429, parameters: { retry_after: 7 } });
    expect(photo).toMatchObject({ error_code: 403, description: "Forbidden: bot was blocked by the user" });
    expect(emulator.pendingFaults()).toEqual([]);
    expect(emulator.sendCount(ada)).toBe(1);
  });

  it("drops the connection for an injected network fault", async () => {
    emulator.injectFaults([{ method: "sendMessage", response: "network" }]);

    const error = await bot.api.sendMessage(ada, "lost").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpError);
    expect(emulator.callsOf("sendMessage")).toMatchObject([{ fault: "network", params: { text: "lost" } }]);
    expect(emulator.callsOf("sendMessage")[0]?.response).toBeUndefined();
    await expect(bot.api.sendMessage(ada, "found")).resolves.toMatchObject({ text: "found" });
  });

  it("lets grammY's auto-retry plugin wait out an injected 429 without a duplicate send", async () => {
    bot.api.config.use(autoRetry({ maxRetryAttempts: 2 }));
    emulator.injectFaults([{ method: "sendMessage", response: 429, retryAfter: 1 }]);

    await expect(bot.api.sendMessage(ada, "eventually")).resolves.toMatchObject({ text: "eventually" });

    expect(emulator.callsOf("sendMessage").map((call) => call.response?.ok)).toEqual([false, true]);
    expect(emulator.sendCount(ada)).toBe(1);
  });
});
