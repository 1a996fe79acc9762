/**
 * /forget and the support chat: a staff reply is a Bot API call saved with the support chat's state (bot/replies.ts)
 * and kept there, with the user's chat id, until the support chat's next update replaces it. This participant of
 * the user-data eraser (bot/privacy/eraser.ts) takes the user's calls out of it, so nothing of the user is left.
 */
import type { UserDataParticipant } from "../privacy/eraser";
import {
  type ChatState,
  ChatStateConflictError,
  type ChatStateStore,
  type StoredCall,
} from "../storage/port";

/** Whether a saved call was addressed to `userId` (their private chat id is their user id). */
function sentTo(call: StoredCall, userId: number): boolean {
  return call.payload.chat_id === userId || call.payload.chat_id === String(userId);
}

/** The support chat's state without the calls to `userId`, or undefined when it holds none. */
function withoutCallsTo(state: ChatState, userId: number): ChatState | undefined {
  const replies = state.replies;
  if (!replies?.calls.some((call) => sentTo(call, userId))) return undefined;
  const kept = replies.calls.filter((call) => !sentTo(call, userId));
  if (replies.sent >= replies.calls.length || kept.length === 0) return { ...state, replies: undefined };
  // Calls still to send keep their order; `sent` counts the kept calls that were already done.
  const sent = replies.calls.slice(0, replies.sent).filter((call) => !sentTo(call, userId)).length;
  return { ...state, replies: { ...replies, calls: kept, sent } };
}

/** The eraser's participant for the support chat's saved replies (none without a support chat). */
export function supportChatParticipant(
  chats: ChatStateStore,
  supportChatId: number | undefined,
): UserDataParticipant {
  return {
    name: "supportChat",
    async forgetUser(userId) {
      if (supportChatId === undefined) return;
      // A staff reply landing meanwhile changes the state: read again and retry (it replaced the replies anyway).
      for (let attempt = 0; attempt < 3; attempt++) {
        const stored = await chats.load(supportChatId);
        const cleaned = stored && withoutCallsTo(stored.state, userId);
        if (!stored || !cleaned) return;
        try {
          await chats.save(supportChatId, cleaned, stored.version);
          return;
        } catch (error) {
          if (!(error instanceof ChatStateConflictError)) throw error;
        }
      }
    },
  };
}
