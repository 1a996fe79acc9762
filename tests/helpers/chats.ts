/**
 * Wrapping a chat-state store in a test: everything passes through to `inner` except the `save` the test writes
 * itself (to pause it, make it conflict, or count it), so each test spells out only what it changes.
 */
import type { ChatStateStore } from "../../bot/storage/port";

/** `load`, `delete` and `savedAt` of `inner`; spread it into a store and add the test's own `save`. */
export function passThroughChats(inner: ChatStateStore): Omit<ChatStateStore, "save"> {
  return {
    load: (chatId) => inner.load(chatId),
    delete: (chatId) => inner.delete(chatId),
    savedAt: (chatId) => inner.savedAt(chatId),
  };
}
