import { commandEntities, EntityParseError, formatText } from "../../local/telegram/formatting";

describe("Telegram text formatting in the emulator", () => {
  it("turns HTML into text and entities, decoding character references", () => {
    expect(formatText("<b>Bold <i>both</i></b> &lt;tag&gt; &#128512;", "HTML")).toEqual({
      text: "Bold both <tag> 😀",
      entities: [
        { type: "bold", offset: 0, length: 9 },
        { type: "italic", offset: 5, length: 4 },
      ],
    });
  });

  it("merges <pre><code class=language-x> into one pre entity with a language", () => {
    expect(formatText('<pre><code class="language-ts">let x = 1;</code></pre>', "html")).toEqual({
      text: "let x = 1;",
      entities: [{ type: "pre", offset: 0, length: 10, language: "ts" }],
    });
  });

  it("refuses unsupported and unbalanced HTML tags like Telegram", () => {
    expect(() => formatText("a <div>b</div>", "HTML")).toThrow(
      'Unsupported start tag "div" at byte offset 2',
    );
    expect(() => formatText("<b>open", "HTML")).toThrow('Can\'t find end tag corresponding to start tag "b"');
    expect(() => formatText("<b>x</i>", "HTML")).toThrow(EntityParseError);
  });

  it("refuses a character reference past the last Unicode code point, as the broadcast check does", () => {
    expect(() => formatText("a &#1114112; b", "HTML")).toThrow("&#1114112; is not a character");
    expect(() => formatText("&#x110000;", "HTML")).toThrow(EntityParseError);
    expect(formatText("&#x10FFFF;", "HTML").text).toBe("\u{10FFFF}");
  });

  it("parses MarkdownV2 entities, escapes, links and code", () => {
    expect(
      formatText("*b* _i_ __u__ ~s~ ||sp|| [link](https://x.org/a\\)b) `co\\`de` 2\\+2", "MarkdownV2"),
    ).toEqual({
      text: "b i u s sp link co`de 2+2",
      entities: [
        { type: "bold", offset: 0, length: 1 },
        { type: "italic", offset: 2, length: 1 },
        { type: "underline", offset: 4, length: 1 },
        { type: "strikethrough", offset: 6, length: 1 },
        { type: "spoiler", offset: 8, length: 2 },
        { type: "text_link", offset: 11, length: 4, url: "https://x.org/a)b" },
        { type: "code", offset: 16, length: 5 },
      ],
    });
    expect(formatText("```python\nprint(1)\n```", "MarkdownV2").entities).toEqual([
      { type: "pre", offset: 0, length: 9, language: "python" },
    ]);
  });

  it("refuses unescaped reserved characters and unclosed MarkdownV2 entities", () => {
    expect(() => formatText("Price: 5-10", "MarkdownV2")).toThrow(
      "Character '-' is reserved and must be escaped with the preceding '\\'",
    );
    expect(() => formatText("*never closed", "MarkdownV2")).toThrow(
      "Can't find end of the entity starting at byte offset 0",
    );
  });

  it("supports legacy Markdown", () => {
    expect(formatText("*bold* _it_ `c` [t](https://x.org)", "Markdown")).toEqual({
      text: "bold it c t",
      entities: [
        { type: "bold", offset: 0, length: 4 },
        { type: "italic", offset: 5, length: 2 },
        { type: "code", offset: 8, length: 1 },
        { type: "text_link", offset: 10, length: 1, url: "https://x.org" },
      ],
    });
  });

  it("leaves text without a parse mode untouched", () => {
    expect(formatText("*not bold* <b>", undefined)).toEqual({ text: "*not bold* <b>", entities: [] });
  });

  it("marks /commands in user text, with or without the bot's username", () => {
    expect(commandEntities("/start")).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    expect(commandEntities("/help@lambdagram_local_bot now, then /stop")).toEqual([
      { type: "bot_command", offset: 0, length: 26 },
      { type: "bot_command", offset: 37, length: 5 },
    ]);
    expect(commandEntities("a/b and 1/2")).toEqual([]);
  });
});
