/**
 * Q&A and chit-chat: free text is classified by the chat's tier (rules or NLP) and answered from
 * content. Exact rules always win; an unsure NLP guess offers "did you mean" buttons; nothing
 * understood gets a friendly fallback with the menu.
 */
import { Composer } from "grammy";
import type { Intent } from "../../content/schema";
import { metricNames } from "../../contracts/metrics";
import { classifyTiered, replyFor } from "../../nlp/decide";
import type { Classification } from "../../nlp/types";
import type { BotContext } from "../context";
import { pick } from "../i18n";
import { acknowledge, callbacks, grid, mainMenu } from "../keyboards";

/** The tier in force for this chat. */
export function modeOf(ctx: BotContext) {
  return ctx.session.mode ?? ctx.deps.config.defaultMode;
}

/**
 * Classifies text with the chat's tier. In NLP mode the rule tier runs first and wins when exact;
 * without a trained NLP model the rule tier answers alone.
 */
export function classify(ctx: BotContext, text: string): Classification {
  return classifyTiered(ctx.deps.classifiers, modeOf(ctx), text, ctx.lang);
}

/**
 * The classification of text that is unmistakably something other than an answer (an exact rule, or a
 * confident intent unless `strict`), or undefined. Callers pass it on to {@link answerFreeText}.
 */
export function clearIntent(ctx: BotContext, text: string, strict: boolean): Classification | undefined {
  const result = classify(ctx, text);
  return result.decision === "exact" || (!strict && result.decision === "confident") ? result : undefined;
}

function findIntent(ctx: BotContext, id: string): Intent | undefined {
  return ctx.deps.content.intents.find((intent) => intent.id === id);
}

/** Sends the answer of an intent: one of its answers, plus related-question buttons for Q&A. */
export function answerIntent(ctx: BotContext, intentId: string): boolean {
  const intent = findIntent(ctx, intentId);
  if (!intent) return false;
  const { defaultLanguage } = ctx.deps.content.settings;
  const answers = pick(intent.answers, ctx.lang, defaultLanguage);
  const random = ctx.deps.random ?? Math.random;
  const answer = answers[Math.floor(random() * answers.length)] ?? answers[0] ?? "";
  const related = (intent.related ?? []).flatMap((id) => {
    const other = findIntent(ctx, id);
    return other
      ? [{ text: pick(other.title, ctx.lang, defaultLanguage), data: `${callbacks.intent}${id}` }]
      : [];
  });
  ctx.say(answer, related.length > 0 ? { reply_markup: grid(related, 1) } : undefined);
  ctx.deps.logger.info("intent answered", { intent: intentId, kind: intent.kind });
  ctx.count(metricNames.intentMatched, { Intent: intentId });
  return true;
}

/**
 * Answers free text: the intent, "did you mean" buttons, or the fallback, as decided by `replyFor`
 * (nlp/decide.ts), the same decision `nlp evaluate --probe` measures.
 */
export function answerFreeText(ctx: BotContext, text: string, result = classify(ctx, text)): void {
  const [best] = result.candidates;
  ctx.deps.logger.info("classified", {
    tier: modeOf(ctx),
    decision: result.decision,
    intent: best?.intent,
    confidence: best ? Math.round(best.confidence * 1000) / 1000 : undefined,
  });
  const reply = replyFor(result, (id) => findIntent(ctx, id) !== undefined);
  if (reply.kind === "answer" && answerIntent(ctx, reply.intent)) return;
  if (reply.kind === "clarify") {
    offerCandidates(ctx, reply.intents);
    return;
  }
  fallback(ctx);
}

function offerCandidates(ctx: BotContext, intentIds: string[]): void {
  const { defaultLanguage } = ctx.deps.content.settings;
  const buttons = intentIds.flatMap((id) => {
    const intent = findIntent(ctx, id);
    return intent
      ? [{ text: pick(intent.title, ctx.lang, defaultLanguage), data: `${callbacks.intent}${id}` }]
      : [];
  });
  buttons.push({ text: ctx.t("nlp.noneOfThese"), data: callbacks.noneOfThese });
  ctx.say(ctx.t("nlp.didYouMean"), { reply_markup: grid(buttons, 1) });
}

/** Nothing understood: say so kindly (out-of-scope wording in NLP mode) and show what the bot can do. */
export function fallback(ctx: BotContext): void {
  ctx.deps.logger.info("fallback", { tier: modeOf(ctx) });
  ctx.count(metricNames.fallbackAnswered);
  ctx.say(ctx.t(modeOf(ctx) === "nlp" ? "nlp.outOfScope" : "fallback.text"), { reply_markup: mainMenu(ctx) });
}

/** Buttons of every Q&A topic: the guided way to ask in rules mode. */
export function questionButtons(ctx: BotContext) {
  const { defaultLanguage } = ctx.deps.content.settings;
  return grid(
    ctx.deps.content.intents
      .filter((intent) => intent.kind === "qa")
      .map((intent) => ({
        text: pick(intent.title, ctx.lang, defaultLanguage),
        data: `${callbacks.intent}${intent.id}`,
      })),
  );
}

/** Composer: `/ask`, intent buttons and "none of these". Free text is routed by the bot's final handler. */
export function intentsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("ask", (ctx) => askPrompt(ctx));
  composer.callbackQuery(new RegExp(`^${callbacks.intent}(.+)$`), (ctx) => {
    acknowledge(ctx);
    const id = ctx.match?.[1] ?? "";
    if (!answerIntent(ctx, id)) fallback(ctx);
  });
  composer.callbackQuery(callbacks.noneOfThese, (ctx) => {
    acknowledge(ctx);
    ctx.say(ctx.t("fallback.text"), { reply_markup: mainMenu(ctx) });
  });
  return composer;
}

/** "Ask a question": in rules mode list the topics as buttons; in NLP mode invite free text. */
export function askPrompt(ctx: BotContext): void {
  ctx.session.awaitingQuestion = true;
  ctx.say(ctx.t("ask.prompt"), modeOf(ctx) === "rules" ? { reply_markup: questionButtons(ctx) } : undefined);
}
