/**
 * The support group `npm start` offers out of the box, so human handoff (bot/handoff/) works locally with no
 * setup: a group chat in the Bot API emulator and a staff user who answers in it (from the web chat's
 * support pane, or the control API: see local/telegram/control-api.ts). SUPPORT_CHAT_ID points at it unless
 * the environment names another chat (which is then made a group of the emulator if it is a free negative id).
 */
import type { TelegramEmulator } from "./telegram/emulator";
import { UnknownChatError } from "./telegram/errors";

/** The local support group and its staff member (ids chosen far from the ones the web chat hands out). */
export const localSupport = {
  chatId: -1009000001,
  title: "Support team",
  staff: { id: 9000001, first_name: "Sam (staff)", language_code: "en" },
} as const;

/** The support chat in effect and the staff user who answers there. */
export interface LocalSupport {
  chatId: number;
  staffUserId: number;
}

/**
 * Makes sure the emulator has the support group (`chatId`, default {@link localSupport}) and the staff user;
 * both survive restarts with the emulator's data, so they are created only when missing.
 */
export function ensureSupportGroup(
  emulator: TelegramEmulator,
  chatId: number = localSupport.chatId,
): LocalSupport {
  if (!emulator.users().some((user) => user.id === localSupport.staff.id))
    emulator.createUser({ ...localSupport.staff });
  if (chatId < 0 && !hasChat(emulator, chatId))
    emulator.createGroup({ id: chatId, title: localSupport.title });
  return { chatId, staffUserId: localSupport.staff.id };
}

function hasChat(emulator: TelegramEmulator, chatId: number): boolean {
  try {
    emulator.chatHistory(chatId);
    return true;
  } catch (error) {
    if (error instanceof UnknownChatError) return false;
    throw error;
  }
}
