/**
 * Reads a content pack from disk and validates it. Used by `npm run content:check`, the trainer, the local
 * runner and the bundler; the bot itself receives an already validated {@link Content} object.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { z } from "zod";
import { matchKey } from "../nlp/normalize";
import { keywordAmbiguity } from "../nlp/rules";
import { patternProblem } from "../nlp/safe-pattern";
import {
  type Content,
  type Intent,
  intentFileSchema,
  type Localized,
  messagesSchema,
  type OutOfScopeSet,
  outOfScopeFileSchema,
  type PrivacyPolicy,
  privacyPlaceholders,
  privacyPolicySchema,
  type Questionnaire,
  questionnaireSchema,
  type Recommendation,
  recommendationFileSchema,
  requiredMessageKeys,
  type Settings,
  settingsSchema,
} from "./schema";

/** One problem in a content file: where it is and why it is wrong. */
export interface ContentProblem {
  file: string;
  path: string;
  reason: string;
}

/** Thrown when a content pack is invalid; the message lists every problem as `file: path: reason`. */
export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(
      `Content is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); fix these and run \`npm run content:check\`:\n` +
        problems.map(formatProblem).join("\n"),
    );
    this.name = "ContentError";
  }
}

/** Formats a problem the way `content:check` prints it. */
export function formatProblem(problem: ContentProblem): string {
  return `  ${problem.file}: ${problem.path || "(whole file)"}: ${problem.reason}`;
}

function pathToString(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
}

class Collector {
  readonly problems: ContentProblem[] = [];
  constructor(private readonly root: string) {}

  add(file: string, path: string, reason: string): void {
    this.problems.push({ file: relative(process.cwd(), join(this.root, file)) || file, path, reason });
  }

  /** Reads and validates one YAML file; returns undefined (and records why) when it is unusable. */
  read<T extends z.ZodTypeAny>(file: string, schema: T): z.infer<T> | undefined {
    const full = join(this.root, file);
    if (!existsSync(full)) {
      this.add(file, "", "file is missing");
      return undefined;
    }
    let data: unknown;
    try {
      data = parse(readFileSync(full, "utf8"));
    } catch (error) {
      this.add(file, "", `not valid YAML: ${(error as Error).message.split("\n")[0]}`);
      return undefined;
    }
    const result = schema.safeParse(data);
    if (!result.success) {
      for (const issue of result.error.issues) this.add(file, pathToString(issue.path), issue.message);
      return undefined;
    }
    return result.data;
  }

  listYaml(folder: string, optional = false): string[] {
    const full = join(this.root, folder);
    if (!existsSync(full)) {
      if (optional) return [];
      this.add(folder, "", "folder is missing");
      return [];
    }
    return readdirSync(full)
      .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
      .sort()
      .map((name) => `${folder}/${name}`);
  }
}

/**
 * Loads and validates the content pack in `root` (default `content/`).
 * @throws ContentError listing every problem found, not only the first.
 */
export function loadContent(root = join(process.cwd(), "content")): Content {
  const c = new Collector(root);
  const settings = c.read("settings.yaml", settingsSchema);
  const messages = c.read("messages.yaml", messagesSchema);
  const intentsByFile = c
    .listYaml("intents")
    .map((file) => ({ file, items: c.read(file, intentFileSchema) ?? [] }));
  const questionnairesByFile = c
    .listYaml("questionnaires")
    .map((file) => ({ file, item: c.read(file, questionnaireSchema) }));
  const recommendations = c.read("recommendations.yaml", recommendationFileSchema) ?? [];
  const outOfScopeByFile = c
    .listYaml("out-of-scope", true)
    .map((file) => ({ file, item: c.read(file, outOfScopeFileSchema) }));
  const privacy = c.read("privacy.yaml", privacyPolicySchema);

  if (settings) {
    checkSettings(c, settings);
    if (messages) checkMessages(c, settings, messages);
    checkIntents(c, settings, intentsByFile);
    for (const { file, item } of questionnairesByFile) if (item) checkQuestionnaire(c, settings, file, item);
    checkRecommendations(c, settings, recommendations);
    if (privacy) checkPrivacy(c, settings, privacy);
    const intentExamples = new Map(
      intentsByFile.flatMap(({ items }) =>
        items.flatMap((intent) =>
          Object.values(intent.examples)
            .flat()
            .map((example) => [matchKey(example), intent.id] as const),
        ),
      ),
    );
    for (const { file, item } of outOfScopeByFile)
      if (item) checkOutOfScope(c, settings, file, item, intentExamples);
    checkSpecificKeywords(
      c,
      intentsByFile,
      outOfScopeByFile.flatMap(({ item }) => (item ? Object.values(item.examples).flat() : [])),
    );
  }
  checkUnique(
    c,
    questionnairesByFile.flatMap(({ file, item }) => (item ? [{ file, path: "id", id: item.id }] : [])),
    "questionnaire",
  );

  if (c.problems.length > 0 || !settings || !messages || !privacy) throw new ContentError(c.problems);
  return {
    settings,
    messages: messages as Content["messages"],
    intents: intentsByFile.flatMap(({ items }) => items),
    questionnaires: questionnairesByFile.flatMap(({ item }) => (item ? [item] : [])),
    recommendations,
    outOfScope: outOfScopeByFile.flatMap(({ item }) => (item ? [item] : [])),
    privacy,
  };
}

/** The policy in every language, each stating every retention figure (a dropped one would hide a fact). */
function checkPrivacy(c: Collector, settings: Settings, privacy: PrivacyPolicy): void {
  checkLocalized(c, settings, "privacy.yaml", "policy", privacy.policy);
  for (const [language, text] of Object.entries(privacy.policy))
    for (const placeholder of privacyPlaceholders)
      if (!text.includes(`{${placeholder}}`))
        c.add(
          "privacy.yaml",
          `policy.${language}`,
          `missing {${placeholder}}: the policy must state this retention figure (filled in from the settings)`,
        );
}

/** The id the NLP tier gives the background class: no intent may use it. */
export const OUT_OF_SCOPE_ID = "oos";

function checkOutOfScope(
  c: Collector,
  settings: Settings,
  file: string,
  set: OutOfScopeSet,
  intentExamples: Map<string, string>,
): void {
  for (const [language, examples] of Object.entries(set.examples)) {
    if (!settings.languages.includes(language))
      c.add(file, `examples.${language}`, `"${language}" is not one of settings.languages`);
    examples.forEach((example, i) => {
      const intent = intentExamples.get(matchKey(example));
      if (intent)
        c.add(
          file,
          `examples.${language}[${i}]`,
          `"${example}" is also an example of intent ${intent}: remove it from one of them`,
        );
    });
  }
}

/**
 * Every language's keywords of a Q&A intent include one that no out-of-scope message contains and that other
 * intents' examples do not use as much as its own: the rule tier answers on a specific keyword, and only
 * offers a button on an ambiguous one ("bucket", "alarm", "what is dynamodb").
 */
function checkSpecificKeywords(
  c: Collector,
  files: { file: string; items: Intent[] }[],
  background: string[],
): void {
  const ambiguity = keywordAmbiguity(
    files.flatMap(({ items }) => items),
    background,
  );
  for (const { file, items } of files)
    items.forEach((intent, index) => {
      if (intent.kind !== "qa") return;
      for (const [language, keywords] of Object.entries(intent.keywords ?? {})) {
        const reasons = keywords.map((keyword) => ambiguity(intent.id, keyword));
        if (reasons.length === 0 || reasons.includes(undefined)) continue;
        if (reasons.every((reason) => reason === "out-of-scope"))
          c.add(
            file,
            `[${index}].keywords.${language}`,
            `every ${language} keyword of "${intent.id}" also occurs in a content/out-of-scope message, so rules mode can only offer it as a button: add a keyword specific to this intent, e.g. two words together ("cloudwatch alarm")`,
          );
        else
          c.add(
            file,
            `[${index}].keywords.${language}`,
            `every ${language} keyword of "${intent.id}" is in a content/out-of-scope message or in other intents' examples more than half as often as in its own, so rules mode can only offer it as a button: add a keyword that mostly this intent's examples use`,
          );
      }
    });
}

function checkSettings(c: Collector, settings: Settings): void {
  if (!settings.languages.includes(settings.defaultLanguage))
    c.add("settings.yaml", "defaultLanguage", `"${settings.defaultLanguage}" is not listed in languages`);
  checkLocalized(c, settings, "settings.yaml", "languageNames", settings.languageNames);
}

function checkLocalized(
  c: Collector,
  settings: Settings,
  file: string,
  path: string,
  value: Localized<unknown> | undefined,
): void {
  if (!value) return;
  for (const language of settings.languages)
    if (!(language in value)) c.add(file, `${path}.${language}`, `missing the ${language} translation`);
  for (const language of Object.keys(value))
    if (!settings.languages.includes(language))
      c.add(file, `${path}.${language}`, `"${language}" is not one of settings.languages`);
}

function checkMessages(c: Collector, settings: Settings, messages: Record<string, Localized<string>>): void {
  for (const key of requiredMessageKeys)
    if (!(key in messages)) c.add("messages.yaml", key, "required message is missing");
  for (const [key, value] of Object.entries(messages)) {
    checkLocalized(c, settings, "messages.yaml", key, value);
    // Telegram refuses the whole command menu (at deploy time) when one description is longer.
    if (key.startsWith("command."))
      for (const [language, text] of Object.entries(value))
        if (text.length > 256)
          c.add(
            "messages.yaml",
            `${key}.${language}`,
            `a command description holds at most 256 characters, this has ${text.length}`,
          );
  }
}

function checkIntents(c: Collector, settings: Settings, files: { file: string; items: Intent[] }[]): void {
  const all = files.flatMap(({ file, items }) => items.map((intent, index) => ({ file, index, intent })));
  checkUnique(
    c,
    all.map(({ file, index, intent }) => ({ file, path: `[${index}].id`, id: intent.id })),
    "intent",
  );
  const ids = new Set(all.map(({ intent }) => intent.id));
  for (const { file, index, intent } of all)
    if (intent.id === OUT_OF_SCOPE_ID)
      c.add(
        file,
        `[${index}].id`,
        `"${OUT_OF_SCOPE_ID}" is reserved for out-of-scope messages; pick another id`,
      );
  for (const { file, index, intent } of all) {
    const at = `[${index}]`;
    for (const field of ["title", "examples", "answers", "keywords", "patterns"] as const)
      checkLocalized(c, settings, file, `${at}.${field}`, intent[field]);
    for (const [language, examples] of Object.entries(intent.examples))
      if (examples.length < settings.minExamplesPerLanguage)
        c.add(
          file,
          `${at}.examples.${language}`,
          `intent "${intent.id}" has ${examples.length} ${language} examples, needs at least ${settings.minExamplesPerLanguage} (settings.minExamplesPerLanguage): add ${settings.minExamplesPerLanguage - examples.length} more ways users ask this in ${language}`,
        );
    // A Q&A answer states facts; users (and reviewers) must be able to check them at the source.
    if (intent.kind === "qa" && !intent.source)
      c.add(
        file,
        `${at}.source`,
        `Q&A intent "${intent.id}" has no source: add source: https://docs.aws.amazon.com/... (the page the answer is based on)`,
      );
    for (const [language, patterns] of Object.entries(intent.patterns ?? {}))
      patterns.forEach((pattern, i) => {
        const problem = patternProblem(pattern);
        if (problem)
          c.add(file, `${at}.patterns.${language}[${i}]`, `intent "${intent.id}": /${pattern}/ ${problem}`);
      });
    (intent.related ?? []).forEach((id, i) => {
      if (!ids.has(id)) c.add(file, `${at}.related[${i}]`, `no intent has the id "${id}"`);
    });
  }
}

function checkQuestionnaire(c: Collector, settings: Settings, file: string, q: Questionnaire): void {
  checkLocalized(c, settings, file, "title", q.title);
  checkLocalized(c, settings, file, "intro", q.intro);
  checkUnique(
    c,
    q.questions.map((question, i) => ({ file, path: `questions[${i}].id`, id: question.id })),
    "question",
  );
  q.questions.forEach((question, i) => {
    const at = `questions[${i}]`;
    checkLocalized(c, settings, file, `${at}.prompt`, question.prompt);
    if (question.type === "choice" || question.type === "multi") {
      checkUnique(
        c,
        question.options.map((o, j) => ({ file, path: `${at}.options[${j}].value`, id: o.value })),
        "option",
      );
      question.options.forEach((o, j) => {
        checkLocalized(c, settings, file, `${at}.options[${j}].label`, o.label);
      });
      if (question.type === "multi" && question.minSelected > question.options.length)
        c.add(file, `${at}.minSelected`, "is larger than the number of options");
    }
    if (question.type === "integer" && question.min > question.max)
      c.add(file, `${at}.min`, `min (${question.min}) is larger than max (${question.max})`);
    if (question.type === "text" && question.minLength > question.maxLength)
      c.add(file, `${at}.minLength`, "is larger than maxLength");
    if (question.profileField === "language" && question.type === "choice")
      question.options.forEach((o, j) => {
        if (!settings.languages.includes(o.value))
          c.add(file, `${at}.options[${j}].value`, `"${o.value}" is not one of settings.languages`);
      });
    if (question.profileField === "topics" && question.type === "multi")
      question.options.forEach((o, j) => {
        if (!settings.topics.includes(o.value))
          c.add(file, `${at}.options[${j}].value`, `"${o.value}" is not one of settings.topics`);
      });
    if (question.profileField === "level" && question.type === "choice")
      question.options.forEach((o, j) => {
        if (!settings.levels.includes(o.value))
          c.add(file, `${at}.options[${j}].value`, `"${o.value}" is not one of settings.levels`);
      });
  });
}

function checkRecommendations(c: Collector, settings: Settings, items: Recommendation[]): void {
  const file = "recommendations.yaml";
  checkUnique(
    c,
    items.map((item, i) => ({ file, path: `[${i}].id`, id: item.id })),
    "recommendation",
  );
  items.forEach((item, i) => {
    checkLocalized(c, settings, file, `[${i}].text`, item.text);
    item.topics.forEach((topic, j) => {
      if (!settings.topics.includes(topic))
        c.add(file, `[${i}].topics[${j}]`, `"${topic}" is not one of settings.topics`);
    });
    if (!settings.levels.includes(item.level))
      c.add(file, `[${i}].level`, `"${item.level}" is not one of settings.levels`);
  });
}

function checkUnique(
  c: Collector,
  entries: { file: string; path: string; id: string }[],
  what: string,
): void {
  const seen = new Map<string, string>();
  for (const { file, path, id } of entries) {
    const first = seen.get(id);
    if (first) c.add(file, path, `duplicate ${what} id "${id}" (first defined at ${first})`);
    else seen.set(id, `${file} ${path}`);
  }
}
