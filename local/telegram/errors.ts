/**
 * Errors of the local Telegram emulator. {@link BotApiError} is the `{ ok: false }` answer a Bot API method
 * gives (it never leaves the emulator as an exception); the others are thrown by the emulator's JavaScript and
 * control APIs when a test or the web chat asks for something impossible, and say how to fix the call.
 */

import type { ResponseParameters } from "grammy/types";

/** A Bot API failure, answered to the bot exactly as Telegram words it (`Bad Request: chat not found`, ...). */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = "BotApiError";
  }
}

/** 400 with Telegram's `Bad Request: ` prefix. */
export function badRequest(detail: string): BotApiError {
  return new BotApiError(400, `Bad Request: ${detail}`);
}

/** 403 with Telegram's `Forbidden: ` prefix. */
export function forbidden(detail: string): BotApiError {
  return new BotApiError(403, `Forbidden: ${detail}`);
}

/** 429 with `retry_after` in whole seconds, at least 1, as Telegram answers a flood. */
export function tooManyRequests(retryAfterSeconds: number): BotApiError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

/** Base of the errors the emulator's JavaScript and control APIs throw; `status` is the control API's answer. */
export class EmulatorError extends Error {
  readonly status: number = 400;
}

/** `apiRoot` was read before the emulator had an address. */
export class EmulatorNotStartedError extends EmulatorError {
  constructor() {
    super(
      "The Telegram emulator has no address yet: await emulator.start() first, or call " +
        "emulator.useBaseUrl(url) when it is mounted on another server with emulator.handle(req, res).",
    );
    this.name = "EmulatorNotStartedError";
  }
}

/** `start()` was called twice. */
export class EmulatorAlreadyStartedError extends EmulatorError {
  constructor(readonly baseUrl: string) {
    super(`The Telegram emulator already listens on ${baseUrl}; call stop() before starting it again.`);
    this.name = "EmulatorAlreadyStartedError";
  }
}

/** `start()` after `stop()`: delivery and long polls of a stopped emulator are gone for good. */
export class EmulatorStoppedError extends EmulatorError {
  constructor() {
    super(
      "This Telegram emulator was stopped and cannot start again; create a new TelegramEmulator instead.",
    );
    this.name = "EmulatorStoppedError";
  }
}

/** A simulated user id that was never created. */
export class UnknownUserError extends EmulatorError {
  override readonly status = 404;
  constructor(readonly userId: number) {
    super(
      `No simulated user ${userId}; create it first with emulator.createUser({ id: ${userId}, first_name: "..." }) ` +
        "or POST /_emulator/users.",
    );
    this.name = "UnknownUserError";
  }
}

/** A chat id that is neither a simulated user's private chat nor a created group. */
export class UnknownChatError extends EmulatorError {
  override readonly status = 404;
  constructor(readonly chatId: number) {
    super(
      `No chat ${chatId} in the emulator; private chats exist once createUser() made the user, groups once ` +
        "createGroup() made them.",
    );
    this.name = "UnknownChatError";
  }
}

/** `createUser` / `createGroup` with an id that is taken. */
export class DuplicateChatError extends EmulatorError {
  constructor(readonly chatId: number) {
    super(`Chat or user ${chatId} already exists in the emulator; omit the id to get a fresh one.`);
    this.name = "DuplicateChatError";
  }
}

/** A blocked user tried to write to the bot, which Telegram clients do not allow. */
export class UserBlockedBotError extends EmulatorError {
  constructor(readonly userId: number) {
    super(
      `User ${userId} has blocked the bot and cannot write to it; call emulator.unblockUser(${userId}) ` +
        `(or POST /_emulator/users/${userId}/unblock) first.`,
    );
    this.name = "UserBlockedBotError";
  }
}

/** A button press on a message the chat does not show (never sent, deleted, or sent by the user). */
export class MessageNotFoundError extends EmulatorError {
  override readonly status = 404;
  constructor(
    readonly chatId: number,
    readonly messageId: number,
  ) {
    super(
      `Chat ${chatId} shows no bot message ${messageId} (it was never sent or was deleted); ` +
        "take the id from emulator.chatHistory(chatId).",
    );
    this.name = "MessageNotFoundError";
  }
}

/** `pressButton` with callback data that is not on the message's inline keyboard. */
export class InlineButtonNotFoundError extends EmulatorError {
  constructor(
    readonly chatId: number,
    readonly messageId: number,
    readonly callbackData: string,
    readonly available: string[],
  ) {
    super(
      `Message ${messageId} in chat ${chatId} has no inline button with callback_data ${JSON.stringify(callbackData)}; ` +
        `its buttons carry ${available.length > 0 ? available.map((d) => JSON.stringify(d)).join(", ") : "no callback data"}.`,
    );
    this.name = "InlineButtonNotFoundError";
  }
}

/** `pressReplyButton` with a text that the chat's current reply keyboard does not offer. */
export class ReplyButtonNotFoundError extends EmulatorError {
  constructor(
    readonly chatId: number,
    readonly text: string,
    readonly available: string[],
  ) {
    super(
      `Chat ${chatId} shows no reply keyboard button ${JSON.stringify(text)}; ` +
        (available.length > 0
          ? `its keyboard offers ${available.map((t) => JSON.stringify(t)).join(", ")}.`
          : "it shows no reply keyboard at all (the bot never sent one, or removed it). Use sendText() for free text."),
    );
    this.name = "ReplyButtonNotFoundError";
  }
}

/** A setting or fault that cannot be applied. */
export class InvalidEmulatorInputError extends EmulatorError {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEmulatorInputError";
  }
}

/** `waitFor` / `idle` gave up. */
export class EmulatorWaitTimeoutError extends EmulatorError {
  override readonly status = 408;
  constructor(
    readonly waitingFor: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Gave up after ${timeoutMs} ms waiting for ${waitingFor}; check that the bot runs (webhook set or polling ` +
        "started) and see emulator.calls / emulator.deliveries, or pass a larger { timeoutMs }.",
    );
    this.name = "EmulatorWaitTimeoutError";
  }
}

/** `invoke()` met an injected "network" fault, which over HTTP destroys the connection. */
export class InjectedNetworkFaultError extends EmulatorError {
  constructor(readonly method: string) {
    super(
      `An injected "network" fault for ${method} dropped the call; over HTTP the connection would be destroyed. ` +
        "Remove it with emulator.clearFaults() if it is not meant for this call.",
    );
    this.name = "InjectedNetworkFaultError";
  }
}
