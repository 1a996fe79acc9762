import { createHarness, texts } from "../helpers/bot-harness";
import { contendedStorage } from "../helpers/chats";

describe("side effects happen once per update", () => {
  it("/subscribe under contention answers 'subscribed', not 'already subscribed'", async () => {
    const { storage, contendOnce } = contendedStorage();
    const bot = createHarness({ storage });
    await bot.say(7, "/start");

    contendOnce();
    const replies = texts(await bot.say(7, "/subscribe"));

    expect(bot.logger.entries.some((entry) => entry.message.includes("concurrently"))).toBe(true);
    expect(replies[0]).toBe(
      bot.content.messages["subscribe.done"]?.en?.replace("{hour}", "9").replace("{zone}", "UTC"),
    );
    expect((await storage.users.get(7))?.subscribed).toBe(true);
  });

  it("/unsubscribe under contention answers 'unsubscribed', not 'not subscribed'", async () => {
    const { storage, contendOnce } = contendedStorage();
    const bot = createHarness({ storage });
    await bot.say(7, "/start");
    await bot.say(7, "/subscribe");

    contendOnce();
    const replies = texts(await bot.say(7, "/unsubscribe"));

    expect(replies).toEqual([bot.content.messages["unsubscribe.done"]?.en]);
  });
});
