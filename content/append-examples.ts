/**
 * Adds example phrases to a content pack by hand-editing its YAML files the way an author would: the `yaml`
 * package's Document API finds where an intent's `examples.<lang>` list ends, and the new lines are spliced into
 * the file's own text there, so every comment, folded answer and flow list stays byte for byte as it was (a
 * re-stringified document would reflow answers and respace lists). Used by `npx lambdagram inbox export`.
 * Duplicates are skipped by the rule tier's match key (`matchKey`), the same key `content:check` compares.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, stringify, type YAMLMap, type YAMLSeq } from "yaml";
import { matchKey } from "../nlp/normalize";

/** A labelled message: it should have been answered by `intent`. */
export interface LabelledExample {
  intent: string;
  language: string;
  text: string;
}

/** A message the bot must not answer (out of scope). */
export interface NegativeExample {
  language: string;
  text: string;
}

/** What {@link appendExamples} did: each phrase added (with its file) or skipped (with why). */
export interface AppendReport {
  added: { file: string; target: string; language: string; text: string }[];
  skipped: { target: string; language: string; text: string; reason: string }[];
}

/** Thrown when a file cannot be edited safely (not the shape content:check accepts); the message names it. */
export class ContentEditError extends Error {
  constructor(file: string, reason: string) {
    super(
      `Cannot add examples to ${file}: ${reason}. Fix the file (npm run content:check) and export again.`,
    );
    this.name = "ContentEditError";
  }
}

/** A phrase as one line of YAML: plain when safe, quoted otherwise (never folded). */
function scalarText(text: string): string {
  return stringify(text, { lineWidth: 0 }).trimEnd();
}

/** One line per message: a phrase with line breaks becomes one line (examples are single utterances). */
function oneLine(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

/**
 * The source with `texts` appended to the list `seq` (a block or flow sequence of `source`): each as a new line
 * indented like the list's last item, or before a flow list's `]`.
 */
function appendToSeq(source: string, seq: YAMLSeq, texts: string[], file: string): string {
  const last = seq.items.at(-1);
  if (seq.flow) {
    const end = seq.range?.[1] ?? -1;
    const close = source.lastIndexOf("]", end);
    if (close < 0) throw new ContentEditError(file, "a flow list without its closing bracket");
    const glue = seq.items.length > 0 ? ", " : "";
    return `${source.slice(0, close)}${glue}${texts.map(scalarText).join(", ")}${source.slice(close)}`;
  }
  if (!last || !isScalar(last) || !last.range)
    throw new ContentEditError(file, "an examples list that is empty or holds something other than phrases");
  const [start, , end] = last.range;
  const lineStart = source.lastIndexOf("\n", start - 1) + 1;
  const prefix = source.slice(lineStart, start);
  const dash = /^(\s*)-(\s+)$/.exec(prefix);
  const indent = dash ? prefix : `${" ".repeat(prefix.search(/-/))}- `;
  const lineEnd = source.indexOf("\n", end - 1 < start ? start : end - 1);
  const at = lineEnd < 0 ? source.length : lineEnd + 1;
  const head = lineEnd < 0 ? `${source}\n` : source.slice(0, at);
  return `${head}${texts.map((text) => `${indent}${scalarText(text)}\n`).join("")}${source.slice(at)}`;
}

/** The `examples` map of a parsed intent or out-of-scope node, and its `<language>` list if present. */
function examplesOf(node: unknown): { map?: YAMLMap } {
  if (!isMap(node)) return {};
  const map = node.get("examples", true);
  return isMap(map) ? { map } : {};
}

/** The source with a new `<language>:` list holding `texts` appended to the `examples` map. */
function addLanguage(source: string, map: YAMLMap, language: string, texts: string[], file: string): string {
  const lastPair = map.items.at(-1);
  const key = lastPair && isScalar(lastPair.key) ? lastPair.key : undefined;
  if (!key?.range || !map.range) throw new ContentEditError(file, "an examples map without languages");
  const lineStart = source.lastIndexOf("\n", key.range[0] - 1) + 1;
  const keyIndent = source.slice(lineStart, key.range[0]);
  const end = map.range[2];
  const at = source.lastIndexOf("\n", end - 1) + 1 || source.length;
  const lines = [
    `${keyIndent}${language}:\n`,
    ...texts.map((text) => `${keyIndent}  - ${scalarText(text)}\n`),
  ];
  return `${source.slice(0, at)}${lines.join("")}${source.slice(at)}`;
}

/** The source with `texts` added under `examples.<language>` of the node (creating the list if needed). */
function withExamples(
  source: string,
  node: unknown,
  language: string,
  texts: string[],
  file: string,
): string {
  const { map } = examplesOf(node);
  if (!map) throw new ContentEditError(file, "no `examples` map");
  const list = map.get(language, true);
  if (isSeq(list)) return appendToSeq(source, list, texts, file);
  if (list !== undefined) throw new ContentEditError(file, `examples.${language} is not a list`);
  return addLanguage(source, map, language, texts, file);
}

/** A new out-of-scope file for one language (content/out-of-scope/<language>.yaml). */
function newOutOfScopeFile(language: string, texts: string[]): string {
  return [
    `# Out-of-scope background (${language}): messages users sent that an admin marked out of scope in the inbox`,
    "# (/inbox, or POST /admin/inbox/{id}); written by `npx lambdagram inbox export`, which only appends. Edit",
    "# freely; see study-buddy.yaml for what this folder is for.",
    `description: Messages users sent that the bot must not answer, marked out of scope in the inbox (${language}).`,
    "examples:",
    `  ${language}:`,
    ...texts.map((text) => `    - ${scalarText(text)}`),
    "",
  ].join("\n");
}

/**
 * Appends labelled phrases to their intents' `examples.<language>` and negatives to
 * `content/out-of-scope/<language>.yaml`, skipping what the pack already has (by match key: an example of any
 * intent, or any out-of-scope phrase) and what content:check would refuse (an unknown intent or language).
 */
export function appendExamples(
  root: string,
  input: { examples: LabelledExample[]; negatives: NegativeExample[]; languages: readonly string[] },
): AppendReport {
  const report: AppendReport = { added: [], skipped: [] };
  const sources = new Map<string, string>();
  const read = (file: string) => {
    let text = sources.get(file);
    if (text === undefined) {
      text = readFileSync(join(root, file), "utf8");
      sources.set(file, text);
    }
    return text;
  };
  // Where each intent is, and every phrase the pack has (intent examples and negatives) by match key.
  const intentFile = new Map<string, string>();
  const known = new Map<string, string>();
  const intentFiles = readdirSync(join(root, "intents")).filter((file) => file.endsWith(".yaml"));
  for (const name of intentFiles) {
    const file = join("intents", name);
    const document = parseDocument(read(file));
    const items = document.contents;
    if (!isSeq(items)) continue;
    for (const item of items.items) {
      if (!isMap(item)) continue;
      const id = String(item.get("id"));
      intentFile.set(id, file);
      const examples = item.toJSON().examples as Record<string, string[]> | undefined;
      for (const phrase of Object.values(examples ?? {}).flat())
        known.set(matchKey(String(phrase)), `intent ${id}`);
    }
  }
  const oosFolder = join(root, "out-of-scope");
  const oosFiles = existsSync(oosFolder)
    ? readdirSync(oosFolder).filter((file) => file.endsWith(".yaml"))
    : [];
  for (const name of oosFiles) {
    const examples = (parseDocument(read(join("out-of-scope", name))).toJSON() as { examples?: object })
      ?.examples;
    for (const phrase of Object.values(examples ?? {}).flat() as unknown[])
      if (!known.has(matchKey(String(phrase)))) known.set(matchKey(String(phrase)), `out-of-scope/${name}`);
  }

  // Group what to add by file, intent and language (one splice per list keeps offsets simple).
  const pending = new Map<string, { file: string; intent?: string; language: string; texts: string[] }>();
  const take = (target: string, language: string, raw: string, file: string | undefined, intent?: string) => {
    const text = oneLine(raw);
    const key = matchKey(text);
    const skip = (reason: string) => report.skipped.push({ target, language, text, reason });
    if (!input.languages.includes(language)) return skip(`"${language}" is not one of settings.languages`);
    if (!file) return skip(`no intent has the id "${target}" in content/intents/ (renamed or deleted?)`);
    if (key === "") return skip("nothing left to match once punctuation is removed");
    const already = known.get(key);
    if (already) return skip(`already in the pack (${already})`);
    known.set(key, target);
    const slot = `${file}\u0000${intent ?? ""}\u0000${language}`;
    const group = pending.get(slot) ?? { file, ...(intent ? { intent } : {}), language, texts: [] };
    group.texts.push(text);
    pending.set(slot, group);
    report.added.push({ file: relative(root, join(root, file)), target, language, text });
  };
  for (const { intent, language, text } of input.examples)
    take(intent, language, text, intentFile.get(intent), intent);
  for (const { language, text } of input.negatives)
    take("out-of-scope", language, text, join("out-of-scope", `${language}.yaml`));

  for (const { file, intent, language, texts } of pending.values()) {
    const full = join(root, file);
    if (intent === undefined && !sources.has(file) && !existsSync(full)) {
      sources.set(file, newOutOfScopeFile(language, texts));
      continue;
    }
    const source = read(file);
    const document = parseDocument(source);
    const node =
      intent === undefined
        ? document.contents
        : (isSeq(document.contents) ? document.contents.items : []).find(
            (item) => isMap(item) && String(item.get("id")) === intent,
          );
    sources.set(file, withExamples(source, node, language, texts, file));
  }
  for (const file of new Set([...pending.values()].map((group) => group.file)))
    writeFileSync(join(root, file), sources.get(file) as string);
  return report;
}
