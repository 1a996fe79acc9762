/**
 * The content schema: everything users read (intents, answers, questionnaires, tips, messages) is data
 * under `content/`, and this module is the single place that says what valid data looks like.
 * Problems are reported as `file: path: reason` so an author can fix them without reading code.
 */
import { z } from "zod";

/** Message keys the bot needs in every language; a missing one is a content error, not a runtime surprise. */
export const requiredMessageKeys = [
  "start.greeting",
  "help.text",
  "menu.ask",
  "menu.questionnaires",
  "menu.tips",
  "menu.settings",
  "menu.help",
  "ask.prompt",
  "fallback.text",
  "settings.title",
  "settings.language",
  "settings.mode",
  "language.prompt",
  "language.changed",
  "mode.prompt",
  "mode.rules",
  "mode.nlp",
  "mode.changed",
  "mode.usage",
  "nlp.didYouMean",
  "nlp.outOfScope",
  "nlp.noneOfThese",
  "questionnaire.choose",
  "questionnaire.start",
  "questionnaire.resume",
  "questionnaire.changed",
  "questionnaire.cancelled",
  "questionnaire.nothingToCancel",
  "questionnaire.notAnAnswer",
  "questionnaire.skip",
  "questionnaire.done",
  "questionnaire.summary",
  "questionnaire.confirm",
  "questionnaire.edit",
  "questionnaire.editWhich",
  "questionnaire.saved",
  "questionnaire.unknown",
  "validation.text",
  "validation.choice",
  "validation.multi",
  "validation.integer",
  "subscribe.done",
  "subscribe.already",
  "subscribe.profileHint",
  "unsubscribe.done",
  "unsubscribe.notSubscribed",
  "tips.title",
  "tips.moreLikeThis",
  "tips.unsubscribe",
  "tips.subscribe",
  "tips.status",
  "tips.noMore",
  "broadcast.refused",
  "broadcast.usage",
  "broadcast.preview",
  "broadcast.send",
  "broadcast.cancel",
  "broadcast.queued",
  "broadcast.cancelled",
  "broadcast.progress",
  "broadcast.finished",
  "broadcast.stopped",
  "broadcast.rejected",
  "broadcast.stop",
  "broadcast.stopping",
  "broadcast.alreadyOver",
  "error.generic",
  "questionnaire.privateOnly",
  "questionnaire.openPrivate",
  "buttons.used",
  // The command menu (contracts/commands.ts `commandNames`), registered with setMyCommands.
  "command.start",
  "command.help",
  "command.ask",
  "command.questionnaire",
  "command.subscribe",
  "command.unsubscribe",
  "command.language",
  "command.mode",
  "command.cancel",
  // Buttons under answers (issue 13): the Docs link of Q&A answers and the tip-hour picker.
  "answer.docs",
  "tips.changeHour",
  "tips.hourPrompt",
  "tips.hourChanged",
  "tips.hourChangedNotSubscribed",
  // Privacy (issue 15): /privacy and /forget.
  "command.privacy",
  "command.forget",
  "privacy.forgetButton",
  "forget.confirm",
  "forget.yes",
  "forget.no",
  "forget.done",
  "forget.cancelled",
  "forget.expired",
  "forget.privateOnly",
] as const;

/** A message key that every content pack must define. */
export type MessageKey = (typeof requiredMessageKeys)[number];

/** A BCP 47-ish language code as Telegram sends it, e.g. `en`, `vi`, `zh-TW`. */
const languageCode = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, "a language code such as en, vi or zh-TW");

const identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]*$/,
    "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
  )
  .max(48, "at most 48 characters (it travels in 64-byte callback data)");

/** A value per language; completeness against `settings.languages` is checked across files. */
const localized = <T extends z.ZodTypeAny>(value: T) => z.record(languageCode, value);
const text = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(4096, "Telegram messages hold at most 4096 characters");
const localizedText = localized(text);
const localizedList = localized(z.array(text).min(1, "needs at least one entry"));

/** `content/settings.yaml`: languages, topics and thresholds of the pack. */
export const settingsSchema = z.strictObject({
  name: z.string().min(1),
  languages: z.array(languageCode).min(1),
  defaultLanguage: languageCode,
  /** Topics recommendations and the learner profile may use. */
  topics: z.array(identifier).min(1),
  /** Levels recommendations and the learner profile may use, from easiest to hardest. */
  levels: z.array(identifier).min(1),
  /** Minimum example utterances per intent and language; below this the classifier cannot learn the intent. */
  minExamplesPerLanguage: z.number().int().min(1).default(8),
  /** Human-readable language names shown in the /language keyboard. */
  languageNames: z.record(languageCode, z.string().min(1)),
});

/** One intent: a Q&A entry or a chit-chat topic, with what users say and what the bot answers. */
export const intentSchema = z.strictObject({
  id: identifier,
  /**
   * `qa`: a question about the course's subject, answered with a documented fact (needs `source`).
   * `chitchat`: small talk. `help`: a question about the bot itself (what it can do, settings, privacy),
   * usually with an `action` button that does what the user asked for.
   */
  kind: z.enum(["qa", "chitchat", "help"]),
  /** Short label for menus and "did you mean" buttons. */
  title: localizedText,
  /** Example utterances: training data for the NLP tier and exact phrases for the rule tier. */
  examples: localizedList,
  /** Answers; chit-chat picks one at random, Q&A usually has one. */
  answers: localizedList,
  /** Rule tier: words or phrases that select this intent when they occur as whole words. */
  keywords: localized(z.array(text)).optional(),
  /** Rule tier: regular expressions (case-insensitive, on normalised text) that select this intent. */
  patterns: localized(z.array(text)).optional(),
  /** Related intent ids offered as buttons after the answer. */
  related: z.array(identifier).optional(),
  /** Where the answer's facts come from (official documentation), shown as a "Docs" URL button. */
  source: z.url({ protocol: /^https$/, error: "an https:// URL of the official documentation" }).optional(),
  /** A button under the answer that does what the user asked the bot to do (help intents). */
  action: z
    .enum([
      "subscribe",
      "unsubscribe",
      "tipTime",
      "language",
      "mode",
      "questionnaire",
      "settings",
      "help",
      "forget",
    ])
    .optional(),
});

/** `content/intents/*.yaml`: a list of intents. */
export const intentFileSchema = z.array(intentSchema).min(1);

const questionBase = {
  id: identifier,
  prompt: localizedText,
  optional: z.boolean().default(false),
  /** Copy the answer into the user's profile (used by recommendations and settings). */
  profileField: z.enum(["name", "level", "topics", "language", "tipHour"]).optional(),
};
const option = z.strictObject({ value: z.string().min(1).max(24), label: localizedText });

/** One question; the type decides the keyboard and the validation. */
export const questionSchema = z.discriminatedUnion("type", [
  z.strictObject({
    ...questionBase,
    type: z.literal("text"),
    minLength: z.number().int().min(0).default(1),
    maxLength: z.number().int().min(1).max(4096),
  }),
  z.strictObject({ ...questionBase, type: z.literal("choice"), options: z.array(option).min(2).max(12) }),
  z.strictObject({
    ...questionBase,
    type: z.literal("multi"),
    options: z.array(option).min(2).max(12),
    minSelected: z.number().int().min(0).default(1),
  }),
  z.strictObject({
    ...questionBase,
    type: z.literal("integer"),
    min: z.number().int(),
    max: z.number().int(),
  }),
]);

/** `content/questionnaires/*.yaml`: one questionnaire. Bump `version` whenever questions change. */
export const questionnaireSchema = z.strictObject({
  id: identifier,
  version: z.number().int().min(1),
  title: localizedText,
  intro: localizedText,
  questions: z.array(questionSchema).min(1),
});

/** One daily tip or reading. */
export const recommendationSchema = z.strictObject({
  id: identifier,
  topics: z.array(identifier).min(1),
  level: identifier,
  text: localizedText,
  url: z.url().optional(),
});

/** `content/recommendations.yaml`: the tips pushed to subscribers. */
export const recommendationFileSchema = z.array(recommendationSchema).min(1);

/**
 * `content/out-of-scope/*.yaml`: messages the bot must *not* answer (other topics, and near-domain
 * negatives: other meanings of the pack's words). The NLP tier learns them as a background class, so
 * out of scope is learned rather than only thresholded. Languages may be a subset of the pack's.
 */
export const outOfScopeFileSchema = z.strictObject({
  /** What the file holds, for authors. */
  description: z.string().optional(),
  /** Where the messages come from, when they were not written for this pack (attribution). */
  source: z.string().optional(),
  license: z.string().optional(),
  examples: localized(z.array(text).min(1, "needs at least one entry")),
});

/** Retention figures the privacy policy must state, filled in from the deployment's settings (bot/privacy/). */
export const privacyPlaceholders = ["inboxDays", "forgetDays", "tipDays", "broadcastDays"] as const;

/** `content/privacy.yaml`: the privacy policy /privacy shows, with {@link privacyPlaceholders} in every language. */
export const privacyPolicySchema = z.strictObject({
  policy: localizedText,
});

/** `content/messages.yaml`: every user-facing string of the bot, per language. */
export const messagesSchema = z.record(z.string(), localizedText);

export type Settings = z.infer<typeof settingsSchema>;
export type Intent = z.infer<typeof intentSchema>;
export type Question = z.infer<typeof questionSchema>;
export type Questionnaire = z.infer<typeof questionnaireSchema>;
export type Recommendation = z.infer<typeof recommendationSchema>;
export type OutOfScopeSet = z.infer<typeof outOfScopeFileSchema>;
export type PrivacyPolicy = z.infer<typeof privacyPolicySchema>;
/** A value per language code. */
export type Localized<T> = Record<string, T>;

/** A validated content pack: what the bot and the trainer consume. */
export interface Content {
  settings: Settings;
  messages: Record<MessageKey, Localized<string>> & Record<string, Localized<string>>;
  intents: Intent[];
  questionnaires: Questionnaire[];
  recommendations: Recommendation[];
  /** Background messages the bot must not answer (`content/out-of-scope/`, optional folder). */
  outOfScope?: OutOfScopeSet[];
  /** The privacy policy (`content/privacy.yaml`) /privacy shows. */
  privacy: PrivacyPolicy;
}
