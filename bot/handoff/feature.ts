/**
 * Human handoff: when the bot declines a question and `config.supportChatId` names the operator's staff group,
 * the user may hand it to a person ("Ask a person" or /human). The question goes to the support chat with the
 * user's first name, language and what the bot tried (never a user id or username); a staff member *replies*
 * to it and the bot delivers the reply to the user in the same webhook invocation; the user's next messages go
 * to the same thread (as replies to its first message) until staff reply /close, the user taps Done (/done),
 * or 24 hours pass.
 *
 * Exactly-once comes from the conversation middleware: every message, to the user or to the support chat, is
 * a queued Bot API call saved with the state of the chat whose update caused it (the support group is a chat
 * like any other), so a re-delivered update sends nothing twice and a conflict re-run sends nothing early.
 * Writes outside the chat state (opening, closing a thread) run through `ctx.once`; closing is conditional, so
 * of two staff replying /close at once only one tells the user. The message ids the bot posts in the support
 * chat are recorded after they are sent (an after-send hook, bot/replies.ts); the thread's tag in the text is
 * the fallback when a record is missing.
 */
import { randomBytes } from "node:crypto";
import { Composer, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton, Message } from "grammy/types";
import type { Classification } from "../../nlp/types";
import { isPrivateChat } from "../access";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext, OutgoingCall } from "../context";
import { type Translate, translator } from "../i18n";
import { acknowledge, answerUsedButton, retireKeyboard } from "../keyboards";
import { registerSentHook } from "../replies";
import { maxTextLength } from "../update-schema";
import {
  admitMessage,
  type HandoffChatState,
  type HandoffQuestion,
  minutesBeforeNewThread,
  newThreadId,
  threadIdInText,
  threadTag,
  threadUntil,
} from "./state";
import type { HandoffStore, HandoffThread, ThreadCloser } from "./store/port";

/** The after-send hook that records a support-chat message of a thread. */
const recordHook = "handoff.message";

registerSentHook(recordHook, async (ctx, result, data) => {
  const messageId = (result as { message_id?: unknown } | undefined)?.message_id;
  const store = ctx.deps.handoff;
  if (!store || typeof messageId !== "number") return;
  await store.recordMessage(String(data.threadId), messageId, { root: data.root === true });
});

/** The support chat and the thread store, when handoff is on. */
interface Support {
  chatId: number;
  store: HandoffStore;
}

/** Handoff is on when the operator named a support chat and the bot was given a thread store. */
function supportOf(ctx: BotContext): Support | undefined {
  const chatId = ctx.deps.config.supportChatId;
  const store = ctx.deps.handoff;
  return chatId !== undefined && store ? { chatId, store } : undefined;
}

/** The translator of the support chat: staff read the content pack's default language. */
function staffT(ctx: BotContext): Translate {
  return translator(ctx.deps.content, ctx.deps.content.settings.defaultLanguage);
}

/**
 * The command a message starts with (`/close@my_bot` gives `close`), if any; a command addressed to another
 * bot (`/close@other_bot`) gives `@other`, which matches none of ours.
 */
function commandOf(message: Message, botUsername: string): string | undefined {
  const entity = message.entities?.[0];
  if (entity?.type !== "bot_command" || entity.offset !== 0) return undefined;
  const [name, addressee] = (message.text ?? "").slice(1, entity.length).split("@");
  if (addressee && addressee.toLowerCase() !== botUsername.toLowerCase()) return "@other";
  return name?.toLowerCase();
}

/**
 * The "Ask a person" button for a declined free-text message (bot/features/intents.ts puts it under the
 * fallback), remembering the question in the chat state; undefined when handoff is off or the chat is a group.
 */
export function offerHandoff(
  ctx: BotContext,
  text: string,
  result: Classification,
): InlineKeyboardButton | undefined {
  if (!supportOf(ctx) || !isPrivateChat(ctx)) return undefined;
  const key = ctx.update.update_id.toString(36);
  ctx.session.handoff = {
    ...ctx.session.handoff,
    question: {
      key,
      text,
      decision: result.decision,
      intents: result.candidates
        .slice(0, 3)
        .map(({ intent, confidence }) => ({ intent, confidence: Math.round(confidence * 1000) / 1000 })),
    },
  };
  return InlineKeyboard.text(ctx.t("handoff.ask"), callbackData.handoffAsk.encode(key));
}

/** The composer: the thread's traffic in both chats, /human, /done and the two buttons. */
export function handoffFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(async (ctx, next) => {
    const support = supportOf(ctx);
    if (!support || !ctx.chat) return next();
    if (ctx.chat.id === support.chatId) return fromSupportChat(ctx, support, next);
    const message = ctx.message;
    if (
      ctx.chat.type === "private" &&
      message &&
      !commandOf(message, ctx.me.username) &&
      ctx.session.handoff?.thread
    )
      return fromUserInThread(ctx, support, message, next);
    return next();
  });
  // Setting up: in the group meant for support, /chatid@<bot> tells the id to configure (docs/deploy.md).
  composer
    .chatType(["group", "supergroup"])
    .command("chatid", (ctx) => ctx.say(ctx.t("handoff.chatId", { id: ctx.chat.id })));
  const privateChats = composer.chatType("private");
  privateChats.command("human", async (ctx, next) => {
    const support = supportOf(ctx);
    if (!support) return next();
    const asked = ctx.match.trim();
    const question = asked
      ? { key: ctx.update.update_id.toString(36), text: asked.slice(0, maxTextLength) }
      : ctx.session.handoff?.question;
    await openThread(ctx, support, question);
  });
  privateChats.command("done", async (ctx, next) => {
    const support = supportOf(ctx);
    if (!support) return next();
    await endByUser(ctx, support);
  });
  onCallback(composer, callbackData.handoffAsk, async (ctx, key) => {
    const support = supportOf(ctx);
    const question = ctx.session.handoff?.question;
    if (!support || !isPrivateChat(ctx) || question?.key !== key) return answerUsedButton(ctx);
    acknowledge(ctx);
    await openThread(ctx, support, question);
  });
  onCallback(composer, callbackData.handoffDone, async (ctx) => {
    const support = supportOf(ctx);
    if (!support || !isPrivateChat(ctx)) return answerUsedButton(ctx);
    acknowledge(ctx);
    retireKeyboard(ctx);
    await endByUser(ctx, support);
  });
  return composer;
}

/** The Done button under the thread's messages to the user. */
function doneKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t("handoff.doneButton"), callbackData.handoffDone.data);
}

/** The thread the user's flag points to, read once per update (only handoff traffic reads it). */
function currentThread(ctx: BotContext, support: Support, threadId: string) {
  return ctx.once(`handoff:get:${threadId}`, () => support.store.get(threadId));
}

/** Closes a thread once per update (a conflict re-run reuses the first result); see HandoffStore.close. */
function closeOnce(ctx: BotContext, support: Support, threadId: string, by: ThreadCloser) {
  return ctx.once(`handoff:close:${threadId}`, async () => {
    const closed = await support.store.close(threadId, {
      by,
      at: ctx.deps.clock.now().toISOString(),
      closeId: randomBytes(6).toString("hex"),
    });
    if (closed) ctx.deps.logger.info("handoff thread closed", { threadId, by });
    return closed;
  });
}

/** Queues a message into the support chat, recorded as the thread's (a reply to its first message). */
/** A one-line notice about a thread to the staff (in the pack's language), naming the user and the thread tag. */
function tellStaff(
  ctx: BotContext,
  support: Support,
  thread: Pick<HandoffThread, "threadId" | "rootMessageId" | "firstName">,
  key: "handoff.staff.expiredQuietly" | "handoff.staff.endedByUser",
): void {
  postToSupport(ctx, support, thread, {
    method: "sendMessage",
    payload: { text: staffT(ctx)(key, { name: thread.firstName, tag: threadTag(thread.threadId) }) },
  });
}

function postToSupport(
  ctx: BotContext,
  support: Support,
  thread: Pick<HandoffThread, "threadId" | "rootMessageId">,
  call: { method: string; payload: Record<string, unknown> },
  root = false,
): void {
  const reply =
    thread.rootMessageId === undefined
      ? {}
      : { reply_parameters: { message_id: thread.rootMessageId, allow_sending_without_reply: true } };
  const queued: OutgoingCall = {
    method: call.method,
    payload: { chat_id: support.chatId, ...reply, ...call.payload },
    afterSent: { hook: recordHook, data: { threadId: thread.threadId, ...(root ? { root: true } : {}) } },
  };
  ctx.outbox.push(queued);
}

/** Text cut to Telegram's 4,096 characters. */
function withinLimit(text: string): string {
  return text.length > maxTextLength ? `${text.slice(0, maxTextLength - 1)}…` : text;
}

/** Hands the question over: a new thread, its first message in the support chat, the user told. */
async function openThread(ctx: BotContext, support: Support, question: HandoffQuestion | undefined) {
  const state: HandoffChatState = ctx.session.handoff ?? {};
  ctx.session.handoff = state;
  const now = ctx.deps.clock.now();
  if (state.thread) {
    const current = await currentThread(ctx, support, state.thread.id);
    if (current?.status === "open" && Date.parse(current.until) > now.getTime()) {
      ctx.say(ctx.t("handoff.alreadyOpen"), { reply_markup: doneKeyboard(ctx) });
      return;
    }
    state.thread = undefined;
  }
  const wait = minutesBeforeNewThread(state, now);
  if (wait > 0) {
    ctx.say(ctx.t("handoff.tooSoon", { minutes: wait }));
    return;
  }
  const from = ctx.from;
  const chatId = ctx.chat?.id;
  if (!from || chatId === undefined) return;
  const thread: HandoffThread = await ctx.once("handoff:open", async () => {
    const opened: HandoffThread = {
      threadId: newThreadId(),
      userId: from.id,
      chatId,
      supportChatId: support.chatId,
      firstName: from.first_name,
      language: ctx.lang,
      openedAt: now.toISOString(),
      until: threadUntil(now),
      status: "open",
      supportMessageIds: [],
    };
    await support.store.open(opened);
    ctx.deps.logger.info("handoff thread opened", { threadId: opened.threadId });
    return opened;
  });
  const t = staffT(ctx);
  const tried =
    question?.decision === undefined
      ? t("handoff.staff.triedNothing")
      : t("handoff.staff.tried", {
          decision: question.decision,
          intents:
            (question.intents ?? [])
              .map(({ intent, confidence }) => `${intent} ${Math.round(confidence * 100)}%`)
              .join(", ") || "-",
        });
  const text = t("handoff.staff.question", {
    name: thread.firstName,
    language: thread.language,
    tag: threadTag(thread.threadId),
    tried,
    question: question?.text ?? t("handoff.staff.noQuestion"),
  });
  postToSupport(ctx, support, thread, { method: "sendMessage", payload: { text: withinLimit(text) } }, true);
  state.thread = { id: thread.threadId, until: thread.until };
  state.openedAt = thread.openedAt;
  state.question = undefined;
  state.window = undefined;
  ctx.say(ctx.t("handoff.opened"), { reply_markup: doneKeyboard(ctx) });
}

/** A user's message while their flag says "in a thread": forwarded, refused (flood), or the thread is over. */
async function fromUserInThread(
  ctx: BotContext,
  support: Support,
  message: Message,
  next: () => Promise<void>,
): Promise<void> {
  const state = ctx.session.handoff;
  if (!state?.thread) return next();
  const thread = await currentThread(ctx, support, state.thread.id);
  const now = ctx.deps.clock.now();
  if (!thread || thread.status === "closed") {
    // Closed by staff (the user was told then) or forgotten: the message is the bot's again.
    state.thread = undefined;
    return next();
  }
  if (Date.parse(thread.until) <= now.getTime()) {
    state.thread = undefined;
    const closed = await closeOnce(ctx, support, thread.threadId, "expiry");
    if (closed) tellStaff(ctx, support, thread, "handoff.staff.expiredQuietly");
    const text = message.text ?? message.caption;
    const ask = text
      ? { key: ctx.update.update_id.toString(36), text: text.slice(0, maxTextLength) }
      : undefined;
    state.question = ask;
    ctx.say(
      ctx.t("handoff.expired"),
      ask
        ? {
            reply_markup: new InlineKeyboard().text(
              ctx.t("handoff.ask"),
              callbackData.handoffAsk.encode(ask.key),
            ),
          }
        : undefined,
    );
    return;
  }
  const admitted = admitMessage(state, now);
  if (admitted !== "admitted") {
    if (admitted === "warn") ctx.say(ctx.t("handoff.slowDown"));
    return;
  }
  const tag = threadTag(thread.threadId);
  if (message.text !== undefined) {
    const text = staffT(ctx)("handoff.staff.followUp", { name: thread.firstName, tag, text: message.text });
    postToSupport(ctx, support, thread, { method: "sendMessage", payload: { text: withinLimit(text) } });
  } else {
    // Photos, voice, stickers...: a copy (no "forwarded from" header naming the user's account).
    postToSupport(ctx, support, thread, {
      method: "copyMessage",
      payload: { from_chat_id: message.chat.id, message_id: message.message_id },
    });
  }
}

/** The user ends the conversation (Done or /done). */
async function endByUser(ctx: BotContext, support: Support): Promise<void> {
  const state = ctx.session.handoff;
  const threadId = state?.thread?.id;
  if (state) state.thread = undefined;
  const thread = threadId ? await currentThread(ctx, support, threadId) : undefined;
  const expired = thread !== undefined && Date.parse(thread.until) <= ctx.deps.clock.now().getTime();
  const closed =
    thread?.status === "open"
      ? await closeOnce(ctx, support, thread.threadId, expired ? "expiry" : "user")
      : undefined;
  if (closed && expired) {
    // The 24 hours ran out before Done: both sides hear that, not "ended by the user".
    tellStaff(ctx, support, closed, "handoff.staff.expiredQuietly");
    ctx.say(ctx.t("handoff.closedExpired"));
    return;
  }
  if (!closed) {
    ctx.say(ctx.t("handoff.notOpen"));
    return;
  }
  tellStaff(ctx, support, closed, "handoff.staff.endedByUser");
  ctx.say(ctx.t("handoff.endedByUser"));
}

/**
 * An update in the support chat. Staff replies to the bot's thread messages are delivered to the user (text as
 * a message, anything else copied); `/close` in reply closes the thread. Other messages (staff talking among
 * themselves) get no answer; other commands go on to the rest of the bot.
 */
async function fromSupportChat(ctx: BotContext, support: Support, next: () => Promise<void>): Promise<void> {
  const message = ctx.message;
  if (!message) return next();
  const command = commandOf(message, ctx.me.username);
  // A command for another bot in the group is none of this bot's business.
  if (command === "@other") return;
  if (command !== undefined && command !== "close") return next();
  const t = staffT(ctx);
  const answerStaff = (text: string) =>
    ctx.queue("sendMessage", {
      chat_id: support.chatId,
      text,
      reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
    });
  const replyTo = message.reply_to_message;
  if (!replyTo || replyTo.from?.id !== ctx.me.id) {
    if (command === "close") answerStaff(t("handoff.staff.closeHow"));
    return;
  }
  const threadId =
    (await support.store.threadOfMessage(support.chatId, replyTo.message_id)) ??
    threadIdInText(replyTo.text ?? replyTo.caption);
  // Read once per update: a re-run after a conflict sees what the first run saw, so a close it made (once)
  // is told the same way instead of reading as "already closed".
  const thread = threadId ? await currentThread(ctx, support, threadId) : undefined;
  if (!thread) {
    answerStaff(t("handoff.staff.unknownThread"));
    return;
  }
  const tag = threadTag(thread.threadId);
  const names = { name: thread.firstName, tag };
  const userT = translator(ctx.deps.content, thread.language);
  const toUser = (method: string, payload: Record<string, unknown>) =>
    ctx.queue(method, { chat_id: thread.chatId, ...payload });
  if (thread.status === "closed") {
    answerStaff(t("handoff.staff.alreadyClosed", names));
    return;
  }
  if (Date.parse(thread.until) <= ctx.deps.clock.now().getTime()) {
    if (await closeOnce(ctx, support, thread.threadId, "expiry"))
      toUser("sendMessage", { text: userT("handoff.closedExpired") });
    answerStaff(t("handoff.staff.expired", names));
    return;
  }
  if (command === "close") {
    if (await closeOnce(ctx, support, thread.threadId, "staff")) {
      toUser("sendMessage", { text: userT("handoff.closedByStaff") });
      answerStaff(t("handoff.staff.closed", names));
    } else answerStaff(t("handoff.staff.alreadyClosed", names));
    return;
  }
  if (message.text !== undefined)
    toUser("sendMessage", {
      text: withinLimit(userT("handoff.fromStaff", { text: message.text })),
      reply_markup: new InlineKeyboard().text(userT("handoff.doneButton"), callbackData.handoffDone.data),
    });
  else toUser("copyMessage", { from_chat_id: support.chatId, message_id: message.message_id });
}
