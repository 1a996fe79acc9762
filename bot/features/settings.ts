/**
 * /start, /help, the main menu, and the chat's settings: language (/language) and tier (/mode).
 */
import { Composer, InlineKeyboard } from "grammy";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { translator } from "../i18n";
import { acknowledge, grid, mainMenu } from "../keyboards";
import type { Mode } from "../ports";
import { askPrompt, modeOf } from "./intents";
import { openQuestionnaires } from "./questionnaire";
import { showTips, subscribe, subscribeStartPayload } from "./subscriptions";

const modes: readonly Mode[] = ["rules", "nlp"];

/** Switches the chat's language for the rest of this update and for the future (profile included). */
export function setLanguage(ctx: BotContext, language: string): void {
  ctx.session.language = language;
  ctx.lang = language;
  ctx.t = translator(ctx.deps.content, language);
}

function greet(ctx: BotContext): void {
  ctx.say(ctx.t("start.greeting", { name: ctx.from?.first_name ?? "" }), { reply_markup: mainMenu(ctx) });
}

function showSettings(ctx: BotContext): void {
  ctx.say(ctx.t("settings.title"), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("settings.language"), callbackData.menu.encode("language"))
      .text(ctx.t("settings.mode"), callbackData.menu.encode("mode")),
  });
}

function askLanguage(ctx: BotContext): void {
  const { languages, languageNames } = ctx.deps.content.settings;
  ctx.say(ctx.t("language.prompt"), {
    reply_markup: grid(
      languages.map((code) => ({
        text: languageNames[code] ?? code,
        data: callbackData.language.encode(code),
      })),
      3,
    ),
  });
}

function askMode(ctx: BotContext): void {
  ctx.say(ctx.t("mode.prompt"), {
    reply_markup: new InlineKeyboard()
      .text(
        `${modeOf(ctx) === "rules" ? "✅ " : ""}${ctx.t("mode.rules")}`,
        callbackData.mode.encode("rules"),
      )
      .text(`${modeOf(ctx) === "nlp" ? "✅ " : ""}${ctx.t("mode.nlp")}`, callbackData.mode.encode("nlp")),
  });
}

async function changeLanguage(ctx: BotContext, requested: string): Promise<void> {
  const { languages, languageNames } = ctx.deps.content.settings;
  const language = languages.find((code) => code.toLowerCase() === requested.toLowerCase());
  if (!language) {
    askLanguage(ctx);
    return;
  }
  setLanguage(ctx, language);
  const userId = ctx.from?.id;
  if (userId !== undefined && ctx.chat?.type === "private")
    await ctx.deps.storage.users.update(userId, { language, updatedAt: ctx.deps.clock.now().toISOString() });
  ctx.say(ctx.t("language.changed", { language: languageNames[language] ?? language }), {
    reply_markup: mainMenu(ctx),
  });
}

function changeMode(ctx: BotContext, requested: string): void {
  const mode = modes.find((m) => m === requested.toLowerCase());
  if (!mode) {
    ctx.say(ctx.t("mode.usage"));
    askMode(ctx);
    return;
  }
  ctx.session.mode = mode;
  ctx.say(ctx.t("mode.changed", { mode: ctx.t(`mode.${mode}`) }), { reply_markup: mainMenu(ctx) });
}

/** Composer: start, help, menu buttons, language and mode. */
export function settingsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("start", (ctx) => {
    const payload = ctx.match.trim();
    // "Open a private chat" from a group's /subscribe: subscribe here, where tips can reach the user.
    if (payload === subscribeStartPayload) return subscribe(ctx);
    if (payload) return openQuestionnaires(ctx, payload);
    greet(ctx);
  });
  composer.command("help", (ctx) => ctx.say(ctx.t("help.text"), { reply_markup: mainMenu(ctx) }));
  composer.command("language", async (ctx) => {
    const requested = ctx.match.trim();
    if (requested) await changeLanguage(ctx, requested);
    else askLanguage(ctx);
  });
  composer.command("mode", (ctx) => {
    const requested = ctx.match.trim();
    if (requested) changeMode(ctx, requested);
    else askMode(ctx);
  });
  onCallback(composer, callbackData.language, async (ctx, language) => {
    acknowledge(ctx);
    await changeLanguage(ctx, language);
  });
  onCallback(composer, callbackData.mode, (ctx, mode) => {
    acknowledge(ctx);
    changeMode(ctx, mode);
  });
  onCallback(composer, callbackData.menu, async (ctx, entry) => {
    acknowledge(ctx);
    switch (entry) {
      case "ask":
        return askPrompt(ctx);
      case "forms":
        return openQuestionnaires(ctx);
      case "tips":
        return showTips(ctx);
      case "settings":
        return showSettings(ctx);
      case "language":
        return askLanguage(ctx);
      case "mode":
        return askMode(ctx);
      default:
        return ctx.say(ctx.t("help.text"), { reply_markup: mainMenu(ctx) });
    }
  });
  return composer;
}
