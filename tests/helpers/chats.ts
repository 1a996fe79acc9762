/**
 * Wrapping a chat-state store in a test: everything passes through to `inner` except the `save` the test writes
 * itself (to pause it, make it conflict, or count it), so each test spells out only what it changes.
 */
import { createMemoryStorage } from "../../bot/storage/memory";
import type { ChatStateStore, Storage } from "../../bot/storage/port";

/** `load`, `delete` and `savedAt` of `inner`; spread it into a store and add the test's own `save`. */
export function passThroughChats(inner: ChatStateStore): Omit<ChatStateStore, "save"> {
  return {
    load: (chatId) => inner.load(chatId),
    delete: (chatId) => inner.delete(chatId),
    savedAt: (chatId) => inner.savedAt(chatId),
  };
}

/**
 * In-memory storage whose chat saves lose the race once after `contendOnce()`: just before the save, another
 * update of the same chat writes first, so the save fails its version check and the update runs again on fresh
 * state.
 */
export function contendedStorage(): { storage: Storage; contendOnce(): void } {
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
  return {
    storage,
    contendOnce: () => {
      contend = true;
    },
  };
}
