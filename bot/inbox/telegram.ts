/**
 * The inbox in Telegram. Everyone: 👍 / 👎 under answers (./feedback.ts). Admins (`BotConfig.adminUserIds`):
 * `/inbox` shows the most frequent new entry with buttons to label it with one of its top-3 intents, to pick
 * another intent from a paged list, to mark it out of scope, to dismiss it, or to skip to the next one. Each
 * decision edits the same message into the next entry, so a review is one message. The admin's place (entries
 * skipped) is kept in their chat state.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Intent } from "../../content/schema";
import { isAdmin, isPrivateChat } from "../access";
import { type CallbackContext, callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { pick } from "../i18n";
import { acknowledge, answerUsedButton } from "../keyboards";
import { feedbackFeature } from "./feedback";
import type { InboxEntry, InboxLabel, InboxStore } from "./store/port";

/** Intents per page of "pick another". */
export const intentsPerPage = 8;

/** The entry `offset` places down the review order of new entries (pages through the listing). */
async function entryAt(inbox: InboxStore, offset: number): Promise<InboxEntry | undefined> {
  let skipped = 0;
  let cursor: string | undefined;
  do {
    const page = await inbox.list({ status: "new", limit: 100, ...(cursor ? { cursor } : {}) });
    if (offset - skipped < page.entries.length) return page.entries[offset - skipped];
    skipped += page.entries.length;
    cursor = page.cursor;
  } while (cursor);
  return undefined;
}

function titleOf(ctx: BotContext, intent: Intent): string {
  return pick(intent.title, ctx.lang, ctx.deps.content.settings.defaultLanguage);
}

function intentById(ctx: BotContext, id: string): Intent | undefined {
  return ctx.deps.content.intents.find((intent) => intent.id === id);
}

/** The review text of an entry. */
function entryText(ctx: BotContext, entry: InboxEntry, position: number): string {
  const guesses = entry.candidates
    .map(({ intent, confidence }) => `${intent} ${Math.round(confidence * 100)}%`)
    .join(", ");
  const origins = entry.origins
    .map((origin) =>
      origin === "thumbsDown"
        ? ctx.t("inbox.origin.thumbsDown", { intent: entry.answeredIntent ?? "?" })
        : ctx.t(`inbox.origin.${origin}`),
    )
    .join(", ");
  return ctx.t("inbox.entry", {
    position,
    count: entry.count,
    language: entry.language,
    tier: entry.tier,
    origins,
    text: entry.text,
    guesses: guesses || ctx.t("inbox.noGuesses"),
    first: entry.firstSeen.slice(0, 10),
    last: entry.lastSeen.slice(0, 10),
  });
}

/** The buttons under an entry: its top-3 intents that still exist, pick another, out of scope, dismiss, next. */
function entryKeyboard(ctx: BotContext, entry: InboxEntry): InlineKeyboard {
  const rows: InlineKeyboardButton[][] = [];
  for (const { intent: id, confidence } of entry.candidates) {
    const intent = intentById(ctx, id);
    if (intent)
      rows.push([
        InlineKeyboard.text(
          `✅ ${titleOf(ctx, intent)} · ${Math.round(confidence * 100)}%`,
          callbackData.inboxLabel.encode({ entry: entry.id, value: id }),
        ),
      ]);
  }
  rows.push([
    InlineKeyboard.text(
      ctx.t("inbox.pickAnother"),
      callbackData.inboxPick.encode({ entry: entry.id, value: 0 }),
    ),
  ]);
  rows.push([
    InlineKeyboard.text(ctx.t("inbox.outOfScope"), callbackData.inboxOutOfScope.encode(entry.id)),
    InlineKeyboard.text(ctx.t("inbox.dismiss"), callbackData.inboxDismiss.encode(entry.id)),
  ]);
  rows.push([InlineKeyboard.text(ctx.t("inbox.next"), callbackData.inboxNext.data)]);
  return InlineKeyboard.from(rows);
}

/** Shows the entry at the admin's place: a new message for /inbox, the pressed message edited for a button. */
async function showCurrent(ctx: BotContext): Promise<void> {
  const inbox = ctx.deps.inbox;
  if (!inbox) return;
  let offset = ctx.session.inboxReview?.offset ?? 0;
  let entry = await ctx.once("inbox:review", () => entryAt(inbox, offset));
  if (!entry && offset > 0) {
    // Skipped past the end: start over from the most frequent.
    offset = 0;
    entry = await ctx.once("inbox:review:first", () => entryAt(inbox, 0));
  }
  ctx.session.inboxReview = entry ? { offset } : undefined;
  const text = entry ? entryText(ctx, entry, offset + 1) : ctx.t("inbox.empty");
  const markup = entry ? { reply_markup: entryKeyboard(ctx, entry) } : {};
  const message = ctx.callbackQuery?.message;
  if (message)
    ctx.queue("editMessageText", {
      chat_id: message.chat.id,
      message_id: message.message_id,
      text,
      ...markup,
    });
  else ctx.say(text, markup);
}

/** The "pick another" page: every intent of the pack, `intentsPerPage` at a time, with back and paging. */
function pickKeyboard(ctx: BotContext, entryId: string, page: number): InlineKeyboard {
  const intents = ctx.deps.content.intents;
  const pages = Math.max(1, Math.ceil(intents.length / intentsPerPage));
  const current = Math.min(page, pages - 1);
  const rows: InlineKeyboardButton[][] = intents
    .slice(current * intentsPerPage, (current + 1) * intentsPerPage)
    .map((intent) => [
      InlineKeyboard.text(
        `${titleOf(ctx, intent)} (${intent.id})`,
        callbackData.inboxLabel.encode({ entry: entryId, value: intent.id }),
      ),
    ]);
  const nav: InlineKeyboardButton[] = [];
  if (current > 0)
    nav.push(InlineKeyboard.text("◀", callbackData.inboxPick.encode({ entry: entryId, value: current - 1 })));
  nav.push(InlineKeyboard.text(ctx.t("inbox.back"), callbackData.inboxShow.encode(entryId)));
  if (current < pages - 1)
    nav.push(InlineKeyboard.text("▶", callbackData.inboxPick.encode({ entry: entryId, value: current + 1 })));
  rows.push(nav);
  return InlineKeyboard.from(rows);
}

/** Stores a label (once per update), then shows the next entry at the same place (the labelled one left it). */
async function decide(ctx: CallbackContext, entryId: string, label: InboxLabel, done: string): Promise<void> {
  const inbox = ctx.deps.inbox;
  if (!inbox) return;
  const labelled = await ctx.once("inbox:label", () => inbox.label(entryId, label, ctx.deps.clock.now()));
  acknowledge(ctx, labelled ? done : ctx.t("inbox.gone"));
  ctx.deps.logger.info("inbox entry reviewed", { entryId, status: label.status, found: Boolean(labelled) });
  await showCurrent(ctx);
}

/** Runs an admin's button press; anyone else's press is treated as a used button. */
function adminPress<T>(handler: (ctx: CallbackContext, value: T) => Promise<void> | void) {
  return (ctx: CallbackContext, value: T) => {
    if (!isAdmin(ctx) || !ctx.deps.inbox) return answerUsedButton(ctx);
    return handler(ctx, value);
  };
}

/** Composer: answer feedback for everyone, and the /inbox review for admins. */
export function inboxFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(feedbackFeature());
  composer.command("inbox", async (ctx) => {
    if (!isAdmin(ctx)) {
      ctx.deps.logger.warn("inbox refused: not an admin", { userId: ctx.from?.id });
      ctx.say(ctx.t("inbox.refused"));
      return;
    }
    // Users' own words: never shown where other members of a group would read them.
    if (!isPrivateChat(ctx)) {
      ctx.say(ctx.t("admin.privateOnly"));
      return;
    }
    ctx.session.inboxReview = { offset: 0 };
    await showCurrent(ctx);
  });
  onCallback(
    composer,
    callbackData.inboxLabel,
    adminPress(async (ctx, { entry, value: intent }) => {
      if (!intentById(ctx, intent)) return answerUsedButton(ctx);
      await decide(ctx, entry, { status: "labelled", intent }, ctx.t("inbox.labelled", { intent }));
    }),
  );
  onCallback(
    composer,
    callbackData.inboxOutOfScope,
    adminPress((ctx, entry) => decide(ctx, entry, { status: "outOfScope" }, ctx.t("inbox.markedOutOfScope"))),
  );
  onCallback(
    composer,
    callbackData.inboxDismiss,
    adminPress((ctx, entry) => decide(ctx, entry, { status: "dismissed" }, ctx.t("inbox.dismissed"))),
  );
  onCallback(
    composer,
    callbackData.inboxNext,
    adminPress(async (ctx) => {
      acknowledge(ctx);
      ctx.session.inboxReview = { offset: (ctx.session.inboxReview?.offset ?? 0) + 1 };
      await showCurrent(ctx);
    }),
  );
  onCallback(
    composer,
    callbackData.inboxPick,
    adminPress((ctx, { entry, value: page }) => {
      acknowledge(ctx);
      const message = ctx.callbackQuery.message;
      if (message)
        ctx.queue("editMessageReplyMarkup", {
          chat_id: message.chat.id,
          message_id: message.message_id,
          reply_markup: pickKeyboard(ctx, entry, page),
        });
    }),
  );
  onCallback(
    composer,
    callbackData.inboxShow,
    adminPress(async (ctx, entryId) => {
      acknowledge(ctx);
      const entry = await ctx.once("inbox:show", async () => ctx.deps.inbox?.get(entryId));
      const message = ctx.callbackQuery.message;
      if (!entry || !message) return showCurrent(ctx);
      ctx.queue("editMessageReplyMarkup", {
        chat_id: message.chat.id,
        message_id: message.message_id,
        reply_markup: entryKeyboard(ctx, entry),
      });
    }),
  );
  return composer;
}
