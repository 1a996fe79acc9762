/**
 * The user-data eraser: /forget and the blocked-user sweep delete "everything with the user's id" through one
 * port, and every store that keeps user data takes part with its own `forgetUser(userId)`. The composition
 * root (bot/runtime/services.ts `eraser`) lists the participants; a new store that keeps user data adds one
 * line there. Participants run in order, each idempotent, so a failed erasure is simply run again; the chat
 * state goes last, because while it exists a retried /forget still finds its confirmation.
 */
import type { Logger } from "../ports";
import type { Storage } from "../storage/port";

/** A store that keeps data about users and can delete one user's, whatever it is. */
export interface UserDataParticipant {
  /** Names the store in logs and errors, e.g. `profile`, `broadcasts`. */
  readonly name: string;
  /** Deletes everything this store keeps about the user; deleting nothing is success (idempotent). */
  forgetUser(userId: number): Promise<void>;
}

/** Deletes everything the bot keeps about a user. */
export interface UserDataEraser {
  /** Runs every participant for the user; throws {@link ErasureFailedError} if one failed (run it again). */
  forgetUser(userId: number): Promise<void>;
}

/** Thrown when a participant could not delete its part; the others ran. Erasing again finishes the job. */
export class ErasureFailedError extends Error {
  constructor(
    readonly userId: number,
    readonly failed: { participant: string; error: unknown }[],
  ) {
    super(
      `Could not delete all data of user ${userId}: ${failed
        .map(({ participant, error }) => `${participant} (${(error as Error)?.message ?? String(error)})`)
        .join(
          "; ",
        )}. Deleting is idempotent: run the erasure again (a retried /forget or the next sweep does).`,
      { cause: failed[0]?.error },
    );
    this.name = "ErasureFailedError";
  }
}

/** Options of {@link createUserDataEraser}. */
export interface UserDataEraserOptions {
  logger?: Logger;
}

/**
 * The eraser over `participants`, run one after the other in the given order. A failing participant does not
 * stop the others (less is left behind), except that the last one, the chat state, only runs when every other
 * part succeeded: the chat state keeps the /forget confirmation, so a retry can still find and finish it.
 */
export function createUserDataEraser(
  participants: readonly UserDataParticipant[],
  options: UserDataEraserOptions = {},
): UserDataEraser {
  const names = participants.map((participant) => participant.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate)
    throw new Error(`Two user-data participants are named "${duplicate}"; give each store one name.`);
  return {
    async forgetUser(userId) {
      const failed: { participant: string; error: unknown }[] = [];
      for (const [index, participant] of participants.entries()) {
        if (index === participants.length - 1 && failed.length > 0) break;
        try {
          await participant.forgetUser(userId);
        } catch (error) {
          failed.push({ participant: participant.name, error });
        }
      }
      if (failed.length > 0) throw new ErasureFailedError(userId, failed);
      options.logger?.info("user data erased", { userId, participants: names });
    },
  };
}

/**
 * The participants of the bot's own storage: questionnaire answers, the profile, and last the chat state of
 * the user's private chat (its id is the user id in Telegram). Put other stores' participants before these.
 */
export function storageParticipants(storage: Storage): UserDataParticipant[] {
  return [
    { name: "answers", forgetUser: (userId) => storage.answers.forgetUser(userId) },
    { name: "profile", forgetUser: (userId) => storage.users.forgetUser(userId) },
    { name: "chatState", forgetUser: (userId) => storage.chats.delete(userId) },
  ];
}

/** A store with a `forgetUser` of its own, as a named participant (tips, broadcasts, inbox, handoff...). */
export function participant(
  name: string,
  store: { forgetUser(userId: number): Promise<void> },
): UserDataParticipant {
  return { name, forgetUser: (userId) => store.forgetUser(userId) };
}
