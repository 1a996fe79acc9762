/**
 * Telegram's text formatting, so the emulator stores what a Telegram client would show (plain text plus
 * entities) and refuses the markup Telegram refuses: an unescaped `.` in MarkdownV2 or a `<br>` in HTML fails
 * locally with the same `can't parse entities` error instead of only in production.
 */

import type { MessageEntity } from "grammy/types";

/** Plain text with the entities that format it (offsets in UTF-16 code units, like the Bot API). */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** The markup is malformed; the message is Telegram's detail after `Bad Request: can't parse entities: `. */
export class EntityParseError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "EntityParseError";
  }
}

/** The parse modes Telegram knows, keyed by their lower-case spelling (Telegram ignores case). */
const parsers: Record<string, (source: string) => FormattedText> = {
  html: parseHtml,
  markdownv2: parseMarkdownV2,
  markdown: parseLegacyMarkdown,
};

/** True if Telegram would accept this `parse_mode` value. */
export function isSupportedParseMode(parseMode: string): boolean {
  return parseMode.toLowerCase() in parsers;
}

/** Applies `parse_mode` (HTML, MarkdownV2 or Markdown) to a text; without one the text is taken literally. */
export function formatText(source: string, parseMode: string | undefined): FormattedText {
  const parse = parseMode ? parsers[parseMode.toLowerCase()] : undefined;
  if (!parse) return { text: source, entities: [] };
  const formatted = parse(source);
  formatted.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return formatted;
}

/** The `bot_command` entities Telegram adds to a user's text (`/start`, `/help@my_bot`, ...). */
export function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(
    /(^|\s)(\/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?)(?![a-zA-Z0-9_@/])/g,
  )) {
    const lead = match[1] ?? "";
    const command = match[2] ?? "";
    entities.push({ type: "bot_command", offset: (match.index ?? 0) + lead.length, length: command.length });
  }
  return entities;
}

function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index), "utf8");
}

// ---------------------------------------------------------------------------------------------- HTML

const namedCharacters: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

function decodeCharacter(reference: string): string | undefined {
  if (!reference.startsWith("#")) return namedCharacters[reference.toLowerCase()];
  const hex = reference[1] === "x" || reference[1] === "X";
  const code = Number.parseInt(reference.slice(hex ? 2 : 1), hex ? 16 : 10);
  // Past the last Unicode code point: refused as Telegram (and the broadcast check, bot/broadcast/markup.ts) do.
  if (code > 0x10ffff) throw new EntityParseError(`&${reference}; is not a character`);
  return String.fromCodePoint(code);
}

function decodeHtmlText(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (whole, reference: string) => {
    return decodeCharacter(reference) ?? whole;
  });
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(/([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const name = (match[1] ?? "").toLowerCase();
    attributes[name] = decodeHtmlText(match[2] ?? match[3] ?? match[4] ?? "");
  }
  return attributes;
}

interface OpenTag {
  tag: string;
  start: number;
  /** The entity the tag makes, or undefined for tags that format nothing (`<a>` without href, code in pre). */
  entity?: Omit<MessageEntity, "offset" | "length">;
}

const simpleHtmlTags: Record<string, MessageEntity["type"]> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  code: "code",
  pre: "pre",
};

function parseHtml(source: string): FormattedText {
  let text = "";
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] ?? "";
    if (char === "&") {
      const match = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/.exec(source.slice(index, index + 12));
      const decoded = match?.[1] ? decodeCharacter(match[1]) : undefined;
      if (match && decoded !== undefined) {
        text += decoded;
        index += match[0].length;
      } else {
        text += "&";
        index += 1;
      }
      continue;
    }
    if (char !== "<") {
      text += char;
      index += 1;
      continue;
    }
    const end = source.indexOf(">", index);
    if (end === -1)
      throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(source, index)}`);
    const inside = source.slice(index + 1, end);
    if (inside.startsWith("/")) {
      const name = inside.slice(1).trim().toLowerCase();
      const top = open.pop();
      if (!top) throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset(source, index)}`);
      if (name !== "" && name !== top.tag) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${byteOffset(source, index)}, expected "</${top.tag}>", found "</${name}>"`,
        );
      }
      if (top.entity && text.length > top.start) {
        entities.push({ ...top.entity, offset: top.start, length: text.length - top.start } as MessageEntity);
      }
    } else {
      const match = /^([a-zA-Z][a-zA-Z0-9-]*)([\s\S]*)$/.exec(inside);
      const tag = (match?.[1] ?? inside.split(/\s/)[0] ?? "").toLowerCase();
      const attributes = parseAttributes(match?.[2] ?? "");
      open.push(openHtmlTag(tag, attributes, open.at(-1), text.length, byteOffset(source, index)));
    }
    index = end + 1;
  }
  const unclosed = open.at(-1);
  if (unclosed) {
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  }
  return { text, entities };
}

function openHtmlTag(
  tag: string,
  attributes: Record<string, string>,
  parent: OpenTag | undefined,
  start: number,
  offset: number,
): OpenTag {
  if (tag === "code" && parent?.tag === "pre" && parent.entity) {
    // <pre><code class="language-x"> is one pre entity with a language, as in Telegram.
    const language = attributes.class?.startsWith("language-") ? attributes.class.slice(9) : undefined;
    if (language) Object.assign(parent.entity, { language });
    return { tag, start };
  }
  const simple = simpleHtmlTags[tag];
  if (simple) return { tag, start, entity: { type: simple } as OpenTag["entity"] };
  switch (tag) {
    case "span":
      if (attributes.class !== "tg-spoiler") {
        throw new EntityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${offset}`);
      }
      return { tag, start, entity: { type: "spoiler" } };
    case "a":
      return attributes.href
        ? { tag, start, entity: { type: "text_link", url: attributes.href } as OpenTag["entity"] }
        : { tag, start };
    case "blockquote":
      return {
        tag,
        start,
        entity: { type: "expandable" in attributes ? "expandable_blockquote" : "blockquote" },
      };
    case "tg-emoji":
      return {
        tag,
        start,
        entity: { type: "custom_emoji", custom_emoji_id: attributes["emoji-id"] ?? "" } as OpenTag["entity"],
      };
    default:
      throw new EntityParseError(`Unsupported start tag "${tag}" at byte offset ${offset}`);
  }
}

// ---------------------------------------------------------------------------------------------- MarkdownV2

const markdownV2Reserved = "_*[]()~`>#+-=|{}.!";

interface OpenMarker {
  type: MessageEntity["type"];
  start: number;
  sourceIndex: number;
}

function parseMarkdownV2(source: string): FormattedText {
  let text = "";
  const entities: MessageEntity[] = [];
  const open: OpenMarker[] = [];
  let blockquoteStart: number | undefined;
  const unclosed = (sourceIndex: number) =>
    new EntityParseError(
      `Can't find end of the entity starting at byte offset ${byteOffset(source, sourceIndex)}`,
    );
  const toggle = (type: MessageEntity["type"], sourceIndex: number) => {
    const openAt = open.findLastIndex((marker) => marker.type === type);
    if (openAt === -1) {
      open.push({ type, start: text.length, sourceIndex });
      return;
    }
    const [marker] = open.splice(openAt, 1);
    if (marker && text.length > marker.start) {
      entities.push({ type, offset: marker.start, length: text.length - marker.start } as MessageEntity);
    }
  };
  let index = 0;
  while (index < source.length) {
    const char = source[index] ?? "";
    const next = source[index + 1];
    const atLineStart = index === 0 || source[index - 1] === "\n";
    if (char === "\\" && next !== undefined) {
      text += next;
      index += 2;
    } else if (char === "`") {
      const isPre = source.startsWith("```", index);
      const marker = isPre ? "```" : "`";
      const [content, end] = readEscapedUntil(source, index + marker.length, marker);
      if (end === -1) throw unclosed(index);
      if (isPre) {
        const newline = content.indexOf("\n");
        const firstLine = newline === -1 ? "" : content.slice(0, newline);
        const language = /^[a-zA-Z0-9+#_-]+$/.test(firstLine) ? firstLine : undefined;
        const body = language ? content.slice(newline + 1) : content;
        entities.push({
          type: "pre",
          offset: text.length,
          length: body.length,
          ...(language ? { language } : {}),
        });
        text += body;
      } else {
        entities.push({ type: "code", offset: text.length, length: content.length });
        text += content;
      }
      index = end + marker.length;
    } else if (char === "*") {
      toggle("bold", index);
      index += 1;
    } else if (char === "_" && next === "_") {
      toggle("underline", index);
      index += 2;
    } else if (char === "_") {
      toggle("italic", index);
      index += 1;
    } else if (char === "~") {
      toggle("strikethrough", index);
      index += 1;
    } else if (char === "|" && next === "|") {
      toggle("spoiler", index);
      index += 2;
    } else if (char === "[") {
      open.push({ type: "text_link", start: text.length, sourceIndex: index });
      index += 1;
    } else if (char === "]" && open.at(-1)?.type === "text_link") {
      const link = open.pop() as OpenMarker;
      if (next !== "(") throw unclosed(link.sourceIndex);
      const [url, end] = readEscapedUntil(source, index + 2, ")");
      if (end === -1)
        throw new EntityParseError(`Can't find end of a URL at byte offset ${byteOffset(source, index)}`);
      if (text.length > link.start) {
        entities.push({ type: "text_link", offset: link.start, length: text.length - link.start, url });
      }
      index = end + 1;
    } else if (char === ">" && atLineStart) {
      blockquoteStart ??= text.length;
      index += 1;
    } else if (markdownV2Reserved.includes(char)) {
      throw new EntityParseError(
        `Character '${char}' is reserved and must be escaped with the preceding '\\'`,
      );
    } else {
      if (char === "\n" && blockquoteStart !== undefined && source[index + 1] !== ">") {
        entities.push({ type: "blockquote", offset: blockquoteStart, length: text.length - blockquoteStart });
        blockquoteStart = undefined;
      }
      text += char;
      index += 1;
    }
  }
  const stillOpen = open.at(-1);
  if (stillOpen) throw unclosed(stillOpen.sourceIndex);
  if (blockquoteStart !== undefined && text.length > blockquoteStart) {
    entities.push({ type: "blockquote", offset: blockquoteStart, length: text.length - blockquoteStart });
  }
  return { text, entities };
}

/** Reads from `from` to the next unescaped `terminator`; returns the unescaped content and where it ends. */
function readEscapedUntil(source: string, from: number, terminator: string): [string, number] {
  let content = "";
  let index = from;
  while (index < source.length) {
    if (source.startsWith(terminator, index)) return [content, index];
    const char = source[index] ?? "";
    if (char === "\\" && index + 1 < source.length) {
      content += source[index + 1];
      index += 2;
    } else {
      content += char;
      index += 1;
    }
  }
  return [content, -1];
}

// ---------------------------------------------------------------------------------------------- Markdown

const legacyMarkers: Record<string, MessageEntity["type"]> = { "*": "bold", _: "italic", "`": "code" };

function parseLegacyMarkdown(source: string): FormattedText {
  let text = "";
  const entities: MessageEntity[] = [];
  let index = 0;
  const unclosed = (sourceIndex: number) =>
    new EntityParseError(
      `Can't find end of the entity starting at byte offset ${byteOffset(source, sourceIndex)}`,
    );
  while (index < source.length) {
    const char = source[index] ?? "";
    const next = source[index + 1];
    if (char === "\\" && next !== undefined && "_*`[".includes(next)) {
      text += next;
      index += 2;
    } else if (source.startsWith("```", index)) {
      const end = source.indexOf("```", index + 3);
      if (end === -1) throw unclosed(index);
      const content = source.slice(index + 3, end);
      entities.push({ type: "pre", offset: text.length, length: content.length });
      text += content;
      index = end + 3;
    } else if (legacyMarkers[char]) {
      const end = source.indexOf(char, index + 1);
      if (end === -1) throw unclosed(index);
      const content = source.slice(index + 1, end);
      if (content.length > 0) {
        entities.push({
          type: legacyMarkers[char],
          offset: text.length,
          length: content.length,
        } as MessageEntity);
      }
      text += content;
      index = end + 1;
    } else if (char === "[") {
      const link = /^\[([^\]]*)\]\(([^)]*)\)/.exec(source.slice(index));
      if (!link) throw unclosed(index);
      const label = link[1] ?? "";
      if (label.length > 0) {
        entities.push({ type: "text_link", offset: text.length, length: label.length, url: link[2] ?? "" });
      }
      text += label;
      index += link[0].length;
    } else {
      text += char;
      index += 1;
    }
  }
  return { text, entities };
}
