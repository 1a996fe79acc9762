import { createMemoryStorage } from "../../bot/storage/memory";
import type { Storage } from "../../bot/storage/port";
import { createHarness, texts } from "../helpers/bot-harness";
import { passThroughChats } from "../helpers/chats";

/**
 * Storage whose chat saves lose the race once when `contend` is set: just before the save, another update of
 * the same chat writes first, so the save fails its version check and the update runs again on fresh state.
 */
function contendedStorage() {
  const inner = createMemoryStorage();
  let contend = false;
  const storage: Storage = {
    ...inner,
    chats: {
      ...passThroughChats(inner.chats),
      save: async (chatId, state, expected) => {
        if (contend) {
          contend = false;
          const other = await inner.chats.load(chatId);
          if (other) await inner.chats.save(chatId, other.state, other.version);
        }
        return inner.chats.save(chatId, state, expected);
      },
    },
  };
  return { storage, contendOnce: () => (contend = true) };
}

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
