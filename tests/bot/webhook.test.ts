import { createMemoryStorage } from "../../bot/storage/memory";
import { ChatStateConflictError, type ChatStateStore, type Storage } from "../../bot/storage/port";
import { createHarness, texts } from "../helpers/bot-harness";
import { passThroughChats } from "../helpers/chats";

describe("the webhook handler", () => {
  it("refuses a wrong or missing secret token with 401 and sends nothing", async () => {
    const bot = createHarness();
    const body = JSON.stringify(bot.messageUpdate(7, "/start"));

    expect((await bot.webhook(bot.webhookEvent(body, "wrong-secret"))).statusCode).toBe(401);
    expect((await bot.webhook(bot.webhookEvent(body, null))).statusCode).toBe(401);
    expect(bot.calls).toHaveLength(0);
  });

  it("accepts the secret in any header case (API Gateway lowercases, others do not)", async () => {
    const bot = createHarness();
    const event = bot.webhookEvent(JSON.stringify(bot.messageUpdate(7, "/start")), null);
    event.headers["X-Telegram-Bot-Api-Secret-Token"] = "test-secret_token-123";

    expect((await bot.webhook(event)).statusCode).toBe(200);
    expect(texts(bot.calls)).toHaveLength(1);
  });

  it("answers 400 to a body that is not JSON, or JSON that is not an update, and keeps working", async () => {
    const bot = createHarness();

    const notJson = await bot.webhook(bot.webhookEvent("{not json"));
    const notUpdate = await bot.webhook(bot.webhookEvent(JSON.stringify({ hello: "world" })));

    expect(notJson.statusCode).toBe(400);
    expect(notUpdate.statusCode).toBe(400);
    expect(bot.logger.entries.filter((e) => e.level === "warn")).toHaveLength(2);
    expect(await bot.say(7, "/start")).not.toHaveLength(0);
  });

  it("decodes a base64-encoded body", async () => {
    const bot = createHarness();
    const event = bot.webhookEvent(
      Buffer.from(JSON.stringify(bot.messageUpdate(7, "/help"))).toString("base64"),
    );
    event.isBase64Encoded = true;

    expect((await bot.webhook(event)).statusCode).toBe(200);
    expect(texts(bot.calls)).toHaveLength(1);
  });

  it("answers a repeated update_id with 200 and no second reply", async () => {
    const bot = createHarness();
    const update = bot.messageUpdate(7, "/start");

    expect(await bot.deliver(update)).toBe(200);
    expect(await bot.deliver(update)).toBe(200);

    expect(texts(bot.calls)).toHaveLength(1);
    expect(bot.logger.entries.some((e) => e.message === "duplicate update ignored")).toBe(true);
  });

  it("answers 503 when storage fails, so Telegram re-sends, and handles the re-sent update once storage is back", async () => {
    const storage = createMemoryStorage();
    const bot = createHarness({ storage });
    const update = bot.messageUpdate(7, "/start");

    storage.simulateOutage();
    expect(await bot.deliver(update)).toBe(503);
    expect(bot.calls).toHaveLength(0);

    storage.endOutage();
    expect(await bot.deliver(update)).toBe(200);
    expect(texts(bot.calls)).toHaveLength(1);
  });

  it("acknowledges with 200 an update the bot fails on, logging the failure instead of crash-looping", async () => {
    const storage = createMemoryStorage();
    const broken: Storage = {
      ...storage,
      users: Object.assign(Object.create(storage.users), {
        get: async () => {
          throw new TypeError("a bug in a feature");
        },
      }) as Storage["users"],
    };
    const bot = createHarness({ storage: broken });
    await bot.say(7, "/start");

    const status = await bot.deliver(bot.messageUpdate(7, "/subscribe"));

    expect(status).toBe(200);
    const error = bot.logger.entries.find((e) => e.level === "error");
    expect(error?.fields?.error).toBe("a bug in a feature");
  });

  it("keeps going when Telegram refuses a reply: the state is saved and the failure logged", async () => {
    const bot = createHarness({
      failMethod: (call) =>
        call.method === "sendMessage" ? new Error("Forbidden: bot was blocked by the user") : undefined,
    });

    expect(await bot.deliver(bot.messageUpdate(7, "/mode nlp"))).toBe(200);

    expect((await bot.storage.chats.load(7))?.state.mode).toBe("nlp");
    expect(bot.logger.entries.some((e) => e.message.includes("Bot API call failed"))).toBe(true);
  });

  it("logs no message text at info level", async () => {
    const bot = createHarness();
    await bot.say(7, "my secret phrase about lambda memory");

    const logged = JSON.stringify(bot.logger.entries.filter((e) => e.level !== "debug"));
    expect(logged).not.toContain("secret phrase");
  });

  it("handles two updates of one chat racing: both changes survive and each is answered once", async () => {
    const inner = createMemoryStorage();
    let pauseFirstSave: (() => void) | undefined;
    let saves = 0;
    // The first save waits until the second update has read the same version, so the two really race.
    const racingChats: ChatStateStore = {
      ...passThroughChats(inner.chats),
      save: async (chatId, state, expected) => {
        saves += 1;
        if (saves === 1) await new Promise<void>((resolve) => (pauseFirstSave = resolve));
        return inner.chats.save(chatId, state, expected);
      },
    };
    let racing = false;
    const bot = createHarness({
      storage: {
        ...inner,
        chats: {
          load: racingChats.load,
          delete: racingChats.delete,
          savedAt: racingChats.savedAt,
          save: (...args) => (racing ? racingChats.save(...args) : inner.chats.save(...args)),
        },
      },
    });
    await bot.say(7, "/start");
    bot.newCalls();
    racing = true;

    const first = bot.deliver(bot.messageUpdate(7, "/mode nlp"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = bot.deliver(bot.messageUpdate(7, "/language vi"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    pauseFirstSave?.();
    const statuses = await Promise.all([first, second]);

    expect(statuses).toEqual([200, 200]);
    const stored = await inner.chats.load(7);
    expect(stored?.state.mode).toBe("nlp");
    expect(stored?.state.language).toBe("vi");
    expect(stored?.state.recentUpdateIds).toHaveLength(3);
    expect(texts(bot.newCalls())).toHaveLength(2);
    expect(bot.logger.entries.some((e) => e.message.includes("concurrently"))).toBe(true);
  });

  it("counts matched intents and fallbacks as CloudWatch metrics once per update", async () => {
    const metricLines: string[] = [];
    const bot = createHarness({ metricLines });
    const greet = bot.content.intents.find((i) => i.id === "chitchat.greet");
    const update = bot.messageUpdate(7, greet?.examples.en?.[0] ?? "hi");

    await bot.deliver(update);
    await bot.deliver(update);
    await bot.say(7, "qwzx plorb");

    const metrics = metricLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const named = (name: string) => metrics.filter((m) => name in m);
    expect(named("IntentMatched")).toHaveLength(1);
    expect(named("IntentMatched")[0]?.Intent).toBe("chitchat.greet");
    expect(named("FallbackAnswered")).toHaveLength(1);
  });

  it("gives up with 503 when a chat keeps changing under it", async () => {
    const storage = createMemoryStorage();
    const alwaysConflicting: ChatStateStore = {
      ...passThroughChats(storage.chats),
      save: async (chatId, _state, expected) => {
        throw new ChatStateConflictError(chatId, expected);
      },
    };
    const bot = createHarness({ storage: { ...storage, chats: alwaysConflicting } });

    expect(await bot.deliver(bot.messageUpdate(7, "/start"))).toBe(503);
    expect(bot.calls).toHaveLength(0);
  });
});
