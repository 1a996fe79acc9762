/**
 * Telegram's two formatting languages, parsed the way the Bot API parses them, before a broadcast is accepted:
 * broken markup is refused with its position instead of failing at Telegram after some users got it, and the
 * 4,096-character limit is counted on the visible text, as Telegram counts it (after entity parsing).
 * Reference: https://core.telegram.org/bots/api#formatting-options
 */

/** Markup Telegram would refuse; `offset` is the character (UTF-16 code unit) where the problem is. */
export class MarkupError extends Error {
  constructor(
    readonly parseMode: string,
    readonly offset: number,
    readonly reason: string,
    text: string,
  ) {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    super(
      `The ${parseMode} text cannot be parsed at character ${offset} (line ${line}, column ${column}): ${reason}.`,
    );
    this.name = "MarkupError";
  }
}

/** The text a user sees once `text` is parsed as `parseMode` (plain text is returned as it is). */
export function visibleText(text: string, parseMode: "HTML" | "MarkdownV2" | undefined): string {
  if (parseMode === "HTML") return visibleHtml(text);
  if (parseMode === "MarkdownV2") return visibleMarkdownV2(text);
  return text;
}

/** Tags Telegram's HTML accepts, with the attribute each requires or allows. */
const htmlTags: Record<string, { required?: string; allowed?: string[] }> = {
  b: {},
  strong: {},
  i: {},
  em: {},
  u: {},
  ins: {},
  s: {},
  strike: {},
  del: {},
  "tg-spoiler": {},
  span: { required: "class" },
  a: {},
  "tg-emoji": { required: "emoji-id" },
  code: { allowed: ["class"] },
  pre: {},
  blockquote: { allowed: ["expandable"] },
};

const namedEntities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

function visibleHtml(text: string): string {
  const fail = (offset: number, reason: string): never => {
    throw new MarkupError("HTML", offset, reason, text);
  };
  const open: { name: string; at: number }[] = [];
  let visible = "";
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (char === "&") {
      const match = /^&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(text.slice(i, i + 12));
      const name = match?.[1];
      if (!name) {
        // Telegram asks for &amp; but takes a bare "&" as itself.
        visible += "&";
        i += 1;
        continue;
      }
      if (name.startsWith("#")) {
        const code = name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        if (code > 0x10ffff) fail(i, `&${name}; is not a character`);
        visible += String.fromCodePoint(code);
      } else {
        // Telegram accepts all named HTML entities; the four it documents are decoded, others kept as written.
        visible += namedEntities[name.toLowerCase()] ?? `&${name};`;
      }
      i += name.length + 2;
      continue;
    }
    if (char !== "<") {
      visible += char;
      i += 1;
      continue;
    }
    const end = text.indexOf(">", i);
    if (end < 0) fail(i, 'a "<" that starts no tag must be written &lt;');
    const tag = text.slice(i + 1, end);
    const closing = /^\/\s*([a-zA-Z-]+)\s*$/.exec(tag);
    if (closing) {
      const name = (closing[1] as string).toLowerCase();
      const top = open.pop();
      if (!top) fail(i, `</${name}> closes no open tag`);
      else if (top.name !== name) fail(i, `</${name}> closes <${top.name}> (opened at character ${top.at})`);
      i = end + 1;
      continue;
    }
    const opening = /^([a-zA-Z-]+)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*$/.exec(
      tag,
    );
    if (!opening) return fail(i, `"<${tag.slice(0, 20)}>" is not a tag (write a literal "<" as &lt;)`);
    const name = (opening[1] as string).toLowerCase();
    const rule = htmlTags[name];
    if (!rule) return fail(i, `<${name}> is not a tag Telegram supports`);
    const attributes = [
      ...(opening[2] ?? "").matchAll(/([a-zA-Z-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g),
    ];
    const names = attributes.map((attribute) => (attribute[1] as string).toLowerCase());
    if (rule.required && !names.includes(rule.required))
      fail(i, `<${name}> needs a ${rule.required} attribute`);
    if (name === "span") {
      const value = attributes.find((attribute) => attribute[1]?.toLowerCase() === "class")?.[2];
      if (value?.replace(/^["']|["']$/g, "") !== "tg-spoiler") fail(i, '<span> needs class="tg-spoiler"');
    }
    open.push({ name, at: i });
    i = end + 1;
  }
  const unclosed = open.pop();
  if (unclosed) fail(unclosed.at, `<${unclosed.name}> is never closed`);
  return visible;
}

/** Characters MarkdownV2 reserves: outside entities each must be escaped with a preceding "\". */
const reserved = new Set("_*[]()~`>#+-=|{}.!".split(""));

function visibleMarkdownV2(text: string): string {
  const fail = (offset: number, reason: string): never => {
    throw new MarkupError("MarkdownV2", offset, reason, text);
  };
  /** Open style markers (`*`, `_`, `__`, `~`, `||`, `[`), innermost last. */
  const open: { marker: string; at: number }[] = [];
  let visible = "";
  let i = 0;
  const atLineStart = () => i === 0 || text[i - 1] === "\n";
  while (i < text.length) {
    const char = text[i] as string;
    if (char === "\\") {
      const next = text[i + 1];
      if (next === undefined) fail(i, 'a "\\" at the end escapes nothing');
      visible += next;
      i += 2;
      continue;
    }
    if (char === "`") {
      // Code: ``` opens a block (with an optional language on its first line), ` an inline span.
      const fence = text.startsWith("```", i) ? "```" : "`";
      let j = i + fence.length;
      let code = "";
      for (;;) {
        if (j >= text.length) fail(i, `the code starting here is never closed with ${fence}`);
        if (text[j] === "\\") {
          code += text[j + 1] ?? "";
          j += 2;
          continue;
        }
        if (text.startsWith(fence, j)) break;
        code += text[j];
        j += 1;
      }
      if (fence === "```") code = code.replace(/^[^\n`\s]*\n/, "");
      visible += code;
      i = j + fence.length;
      continue;
    }
    if (char === ">" && atLineStart()) {
      i += 1; // a blockquote line
      continue;
    }
    if (char === "*" && text.startsWith("**>", i) && atLineStart()) {
      i += 3; // an expandable blockquote
      continue;
    }
    if (char === "|" && text[i + 1] === "|") {
      toggle("||", i);
      i += 2;
      continue;
    }
    if (char === "_" && text.startsWith("__", i)) {
      toggle("__", i);
      i += 2;
      continue;
    }
    if (char === "*" || char === "_" || char === "~") {
      toggle(char, i);
      i += 1;
      continue;
    }
    if (char === "!" && text[i + 1] === "[") {
      open.push({ marker: "![", at: i });
      i += 2;
      continue;
    }
    if (char === "[") {
      open.push({ marker: "[", at: i });
      i += 1;
      continue;
    }
    if (char === "]") {
      const top = open.at(-1);
      if (top?.marker !== "[" && top?.marker !== "![")
        fail(i, 'the character "]" is reserved and must be escaped as "\\]"');
      if (text[i + 1] !== "(") fail(i, 'a link "[text]" needs its "(url)" right after it');
      const close = urlEnd(text, i + 2);
      if (close < 0) fail(i + 1, 'the link\'s "(url" is never closed with ")"');
      open.pop();
      i = close + 1;
      continue;
    }
    if (reserved.has(char)) fail(i, `the character "${char}" is reserved and must be escaped as "\\${char}"`);
    visible += char;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed) fail(unclosed.at, `"${unclosed.marker}" is never closed`);
  return visible;

  function toggle(marker: string, at: number): void {
    const index = open.map((entry) => entry.marker).lastIndexOf(marker);
    if (index < 0) {
      open.push({ marker, at });
      return;
    }
    if (index !== open.length - 1) {
      const inner = open[open.length - 1] as { marker: string; at: number };
      fail(at, `"${marker}" closes before "${inner.marker}" opened at character ${inner.at} is closed`);
    }
    open.pop();
  }
}

/** Index of the ")" that ends a link's URL starting at `from` (inside it only ")" and "\" are escaped), or -1. */
function urlEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === "\\") j += 1;
    else if (text[j] === ")") return j;
  }
  return -1;
}
