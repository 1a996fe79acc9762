/**
 * Questionnaires in Telegram: one question at a time with the keyboard its type needs, a clear re-ask
 * on invalid input, interruptions answered without losing the place, resume days later, a summary to
 * confirm or edit, and answers stored once per run with time stamps.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { Questionnaire } from "../../../content/schema";
import { metricNames } from "../../../contracts/metrics";
import { isPrivateChat } from "../../access";
import { callbackData, onCallback } from "../../callback-data";
import type { BotContext } from "../../context";
import { pick } from "../../i18n";
import { acknowledge, answerUsedButton, grid, mainMenu, retireKeyboard } from "../../keyboards";
import type { FormProgress, UserProfileChanges } from "../../storage/port";
import { answerFreeText, clearIntent } from "../intents";
import { setLanguage } from "../settings";
import {
  type AnswerCheck,
  checkSelection,
  currentQuestion,
  isOutdated,
  parseOptionValue,
  parseTypedAnswer,
  recordAnswer,
  startProgress,
  summaryLines,
} from "./engine";

function findQuestionnaire(ctx: BotContext, id: string): Questionnaire | undefined {
  return ctx.deps.content.questionnaires.find((q) => q.id === id);
}

function title(ctx: BotContext, questionnaire: Questionnaire): string {
  return pick(questionnaire.title, ctx.lang, ctx.deps.content.settings.defaultLanguage);
}

function newRunId(ctx: BotContext): string {
  const random = ctx.deps.random ?? Math.random;
  return `${ctx.deps.clock.now().getTime().toString(36)}${Math.floor(random() * 36 ** 6).toString(36)}`;
}

/** Starts (or restarts) a questionnaire and asks its first question. */
export function startQuestionnaire(ctx: BotContext, questionnaire: Questionnaire): void {
  ctx.session.awaitingQuestion = undefined;
  ctx.session.form = startProgress(questionnaire, newRunId(ctx), ctx.deps.clock.now());
  ctx.say(
    `${ctx.t("questionnaire.start", { title: title(ctx, questionnaire) })}\n\n${pick(questionnaire.intro, ctx.lang, ctx.deps.content.settings.defaultLanguage)}`,
  );
  ask(ctx, questionnaire, ctx.session.form);
}

/**
 * Questionnaires run in private chats only: in a group the chat state is shared, so any member could answer
 * another's form and Confirm would write the presser's profile. Outside a private chat the user is sent to one
 * (a deep link that opens the questionnaire there).
 */
function refuseOutsidePrivate(ctx: BotContext, requestedId?: string): void {
  const username = ctx.me?.username;
  // A deep-link payload allows only letters, digits, `_` and `-`.
  const payload = requestedId && /^[\w-]{1,64}$/.test(requestedId) ? requestedId : "";
  ctx.say(
    ctx.t("questionnaire.privateOnly"),
    username
      ? {
          reply_markup: new InlineKeyboard().url(
            ctx.t("questionnaire.openPrivate"),
            `https://t.me/${username}${payload ? `?start=${payload}` : ""}`,
          ),
        }
      : undefined,
  );
}

/** The questionnaire in progress, restarting it when its content changed since the user began. */
function activeForm(ctx: BotContext): { questionnaire: Questionnaire; progress: FormProgress } | undefined {
  const progress = ctx.session.form;
  if (!progress) return undefined;
  if (!isPrivateChat(ctx)) {
    // A group's form from before questionnaires became private-only: nobody may answer or confirm it.
    ctx.session.form = undefined;
    return undefined;
  }
  const questionnaire = findQuestionnaire(ctx, progress.questionnaireId);
  if (isOutdated(questionnaire, progress)) {
    ctx.session.form = undefined;
    ctx.deps.logger.info("questionnaire changed under a user; restarting", {
      questionnaire: progress.questionnaireId,
    });
    if (questionnaire) {
      ctx.say(ctx.t("questionnaire.changed", { title: title(ctx, questionnaire) }));
      startQuestionnaire(ctx, questionnaire);
    }
    return undefined;
  }
  return questionnaire ? { questionnaire, progress } : undefined;
}

/** Asks the current question (or shows the summary), with the keyboard that fits its type. */
function ask(ctx: BotContext, questionnaire: Questionnaire, progress: FormProgress): void {
  const question = currentQuestion(questionnaire, progress);
  const fallbackLanguage = ctx.deps.content.settings.defaultLanguage;
  if (!question) {
    showSummary(ctx, questionnaire, progress);
    return;
  }
  const prompt = pick(question.prompt, ctx.lang, fallbackLanguage);
  const position = `(${progress.index + 1}/${questionnaire.questions.length}) `;
  const keyboard = questionKeyboard(ctx, questionnaire, progress);
  ctx.say(position + prompt, keyboard ? { reply_markup: keyboard } : undefined);
}

function questionKeyboard(
  ctx: BotContext,
  questionnaire: Questionnaire,
  progress: FormProgress,
): InlineKeyboard | undefined {
  const question = questionnaire.questions[progress.index];
  if (!question) return undefined;
  const fallbackLanguage = ctx.deps.content.settings.defaultLanguage;
  const at = progress.index;
  let keyboard: InlineKeyboard | undefined;
  if (question.type === "choice")
    keyboard = grid(
      question.options.map((o) => ({
        text: pick(o.label, ctx.lang, fallbackLanguage),
        data: callbackData.answer.encode({ index: at, value: o.value }),
      })),
      question.options.length > 4 ? 3 : 2,
    );
  if (question.type === "multi") {
    const selected = new Set(progress.selection ?? []);
    keyboard = grid(
      question.options.map((o) => ({
        text: `${selected.has(o.value) ? "✅ " : ""}${pick(o.label, ctx.lang, fallbackLanguage)}`,
        data: callbackData.toggle.encode({ index: at, value: o.value }),
      })),
    )
      .row()
      .text(ctx.t("questionnaire.done"), callbackData.done.encode(at));
  }
  if (question.optional)
    keyboard = (keyboard ?? new InlineKeyboard())
      .row()
      .text(ctx.t("questionnaire.skip"), callbackData.skip.encode(at));
  return keyboard;
}

function showSummary(ctx: BotContext, questionnaire: Questionnaire, progress: FormProgress): void {
  const lines = summaryLines(questionnaire, progress, ctx.lang, ctx.deps.content.settings.defaultLanguage);
  ctx.say(`${ctx.t("questionnaire.summary", { title: title(ctx, questionnaire) })}\n\n${lines.join("\n")}`, {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("questionnaire.confirm"), callbackData.confirm.data)
      .text(ctx.t("questionnaire.edit"), callbackData.edit.data),
  });
}

/** Applies a check: on success record and move on; on failure re-ask saying what is expected. */
function applyCheck(
  ctx: BotContext,
  questionnaire: Questionnaire,
  progress: FormProgress,
  check: AnswerCheck,
): void {
  if (!check.ok) {
    ctx.say(ctx.t(check.problem, check.params));
    ask(ctx, questionnaire, progress);
    return;
  }
  ctx.session.form = recordAnswer(questionnaire, progress, check.value, ctx.deps.clock.now());
  ask(ctx, questionnaire, ctx.session.form);
}

/**
 * Handles text while a questionnaire is open. Returns false when no questionnaire is open.
 * Text that is clearly not an answer (a greeting, an exact question) is answered, then the question re-asked.
 */
export async function handleFormText(ctx: BotContext, text: string): Promise<boolean> {
  const form = activeForm(ctx);
  if (!form) return ctx.session.form !== undefined;
  const { questionnaire, progress } = form;
  const question = currentQuestion(questionnaire, progress);
  if (!question) {
    // At the summary: anything typed is answered if it means something, then the summary is shown again.
    const meaning = clearIntent(ctx, text, false);
    if (meaning) await answerFreeText(ctx, text, meaning);
    showSummary(ctx, questionnaire, progress);
    return true;
  }
  const check = parseTypedAnswer(question, text);
  // Free-text questions accept almost anything, so only an exact question counts as an interruption there.
  const interruption =
    !check.ok || question.type === "text" ? clearIntent(ctx, text, question.type === "text") : undefined;
  if (interruption) {
    await answerFreeText(ctx, text, interruption);
    ctx.say(ctx.t("questionnaire.notAnAnswer"));
    ask(ctx, questionnaire, progress);
    return true;
  }
  applyCheck(ctx, questionnaire, progress, check);
  return true;
}

/** A button of a question that is no longer the one asked: say so, take its keyboard off, ask the current one. */
function staleQuestion(
  ctx: BotContext,
  form: { questionnaire: Questionnaire; progress: FormProgress },
): void {
  answerUsedButton(ctx);
  ask(ctx, form.questionnaire, form.progress);
}

/** Index carried by an answer button; a button from an earlier question is stale. */
function isCurrent(progress: FormProgress, index: number): boolean {
  return progress.phase !== "confirming" && index === progress.index;
}

async function confirm(ctx: BotContext, questionnaire: Questionnaire, progress: FormProgress): Promise<void> {
  const { storage, clock, content } = ctx.deps;
  const userId = ctx.from?.id;
  if (userId === undefined) return;
  const submittedAt = clock.now().toISOString();
  await storage.answers.save({
    userId,
    questionnaireId: questionnaire.id,
    questionnaireVersion: questionnaire.version,
    runId: progress.runId,
    answers: progress.answers,
    answeredAt: progress.answeredAt,
    startedAt: progress.startedAt,
    submittedAt,
  });
  const changes: UserProfileChanges = {};
  for (const question of questionnaire.questions) {
    const value = progress.answers[question.id];
    if (value === undefined || !question.profileField) continue;
    if (question.profileField === "topics") changes.topics = Array.isArray(value) ? value : [String(value)];
    else if (question.profileField === "tipHour") changes.tipHour = Number(value);
    else changes[question.profileField] = String(value);
  }
  if (Object.keys(changes).length > 0) {
    await storage.users.update(userId, { ...changes, updatedAt: submittedAt });
    if (changes.language && content.settings.languages.includes(changes.language))
      setLanguage(ctx, changes.language);
  }
  ctx.session.form = undefined;
  ctx.deps.logger.info("questionnaire completed", { questionnaire: questionnaire.id });
  ctx.count(metricNames.questionnaireCompleted);
  ctx.say(ctx.t("questionnaire.saved", { title: title(ctx, questionnaire) }), {
    reply_markup: mainMenu(ctx),
  });
}

/** Shows the list of questionnaires, or resumes the one in progress (in a private chat; see {@link refuseOutsidePrivate}). */
export function openQuestionnaires(ctx: BotContext, requestedId?: string): void {
  if (!isPrivateChat(ctx)) {
    refuseOutsidePrivate(ctx, requestedId);
    return;
  }
  const form = activeForm(ctx);
  if (form && (!requestedId || requestedId === form.questionnaire.id)) {
    ctx.say(ctx.t("questionnaire.resume", { title: title(ctx, form.questionnaire) }));
    ask(ctx, form.questionnaire, form.progress);
    return;
  }
  if (requestedId) {
    const questionnaire = findQuestionnaire(ctx, requestedId);
    if (questionnaire) startQuestionnaire(ctx, questionnaire);
    else ctx.say(ctx.t("questionnaire.unknown"));
    return;
  }
  if (ctx.session.form) return; // activeForm restarted a changed questionnaire and already asked.
  ctx.say(ctx.t("questionnaire.choose"), {
    reply_markup: grid(
      ctx.deps.content.questionnaires.map((q) => ({
        text: title(ctx, q),
        data: callbackData.questionnaire.encode(q.id),
      })),
      1,
    ),
  });
}

/** Composer: commands and buttons of questionnaires. Typed answers arrive through {@link handleFormText}. */
export function questionnaireFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command(["questionnaire", "form"], (ctx) =>
    openQuestionnaires(ctx, ctx.match.trim() || undefined),
  );
  composer.command("cancel", (ctx) => {
    if (!ctx.session.form) {
      ctx.say(ctx.t("questionnaire.nothingToCancel"), { reply_markup: mainMenu(ctx) });
      return;
    }
    ctx.session.form = undefined;
    ctx.say(ctx.t("questionnaire.cancelled"), { reply_markup: mainMenu(ctx) });
  });
  onCallback(composer, callbackData.questionnaire, (ctx, id) => {
    acknowledge(ctx);
    openQuestionnaires(ctx, id);
  });

  onCallback(composer, callbackData.answer, (ctx, pressed) => {
    const form = activeForm(ctx);
    if (!form) return answerUsedButton(ctx);
    const question = currentQuestion(form.questionnaire, form.progress);
    if (!question || !isCurrent(form.progress, pressed.index)) return staleQuestion(ctx, form);
    acknowledge(ctx);
    const check = parseOptionValue(question, pressed.value);
    if (check.ok) retireKeyboard(ctx);
    applyCheck(ctx, form.questionnaire, form.progress, check);
  });

  onCallback(composer, callbackData.toggle, (ctx, pressed) => {
    const form = activeForm(ctx);
    if (!form) return answerUsedButton(ctx);
    const question = currentQuestion(form.questionnaire, form.progress);
    if (question?.type !== "multi" || !isCurrent(form.progress, pressed.index))
      return staleQuestion(ctx, form);
    // Only the question's own options: crafted values must not grow the chat state.
    if (!question.options.some((option) => option.value === pressed.value)) return answerUsedButton(ctx);
    acknowledge(ctx);
    const selection = new Set(form.progress.selection ?? []);
    if (selection.has(pressed.value)) selection.delete(pressed.value);
    else selection.add(pressed.value);
    form.progress.selection = [...selection];
    const message = ctx.callbackQuery.message;
    const keyboard = questionKeyboard(ctx, form.questionnaire, form.progress);
    if (message && keyboard)
      ctx.queue("editMessageReplyMarkup", {
        chat_id: message.chat.id,
        message_id: message.message_id,
        reply_markup: keyboard,
      });
  });

  onCallback(composer, callbackData.done, (ctx, pressedIndex) => {
    const form = activeForm(ctx);
    if (!form) return answerUsedButton(ctx);
    const question = currentQuestion(form.questionnaire, form.progress);
    if (!question || !isCurrent(form.progress, pressedIndex)) return staleQuestion(ctx, form);
    acknowledge(ctx);
    const check = checkSelection(question, form.progress.selection ?? []);
    if (check.ok) retireKeyboard(ctx);
    applyCheck(ctx, form.questionnaire, form.progress, check);
  });

  onCallback(composer, callbackData.skip, (ctx, pressedIndex) => {
    const form = activeForm(ctx);
    if (!form) return answerUsedButton(ctx);
    const question = currentQuestion(form.questionnaire, form.progress);
    if (!question?.optional || !isCurrent(form.progress, pressedIndex)) return staleQuestion(ctx, form);
    acknowledge(ctx);
    retireKeyboard(ctx);
    ctx.session.form = recordAnswer(form.questionnaire, form.progress, undefined, ctx.deps.clock.now());
    ask(ctx, form.questionnaire, ctx.session.form);
  });

  onCallback(composer, callbackData.confirm, async (ctx) => {
    const form = activeForm(ctx);
    if (form?.progress.phase !== "confirming") return answerUsedButton(ctx);
    acknowledge(ctx);
    retireKeyboard(ctx);
    await confirm(ctx, form.questionnaire, form.progress);
  });

  onCallback(composer, callbackData.edit, (ctx) => {
    const form = activeForm(ctx);
    if (form?.progress.phase !== "confirming") return answerUsedButton(ctx);
    acknowledge(ctx);
    const fallbackLanguage = ctx.deps.content.settings.defaultLanguage;
    ctx.say(ctx.t("questionnaire.editWhich"), {
      reply_markup: grid(
        form.questionnaire.questions.map((q, i) => ({
          text: pick(q.prompt, ctx.lang, fallbackLanguage).slice(0, 40),
          data: callbackData.editQuestion.encode(i),
        })),
        1,
      ),
    });
  });

  onCallback(composer, callbackData.editQuestion, (ctx, index) => {
    const form = activeForm(ctx);
    if (form?.progress.phase !== "confirming" || !form.questionnaire.questions[index])
      return answerUsedButton(ctx);
    acknowledge(ctx);
    const existing = form.progress.answers[form.questionnaire.questions[index]?.id ?? ""];
    ctx.session.form = {
      ...form.progress,
      phase: "editing",
      index,
      selection: Array.isArray(existing) ? existing : undefined,
    };
    ask(ctx, form.questionnaire, ctx.session.form);
  });
  return composer;
}
