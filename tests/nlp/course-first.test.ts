/**
 * Questions about the bot (help intents) are held back when the message names a course topic: the catalog's
 * course words come from the Q&A keywords, minus every word the bot's own questions use.
 */
import { loadContent } from "../../content/load";
import { courseFirst, intentCatalog, mentionsCourse } from "../../nlp/decide";
import type { Classification } from "../../nlp/types";

const catalog = intentCatalog(loadContent().intents);
const helpWins: Classification = {
  decision: "confident",
  candidates: [
    { intent: "help.switch-mode", confidence: 0.8 },
    { intent: "qa.lambda-invocation", confidence: 0.1 },
  ],
};
const noRule: Classification = { decision: "out_of_scope", candidates: [] };

test("course words name course topics in every language, never the bot's own settings", () => {
  for (const text of [
    "switch my function to another invocation mode",
    "dynamodb table",
    "hàm lambda",
    "函式逾時",
  ])
    expect({ text, course: mentionsCourse(text, catalog) }).toEqual({ text, course: true });
  for (const text of [
    "switch to nlp mode",
    "change the language",
    "stop the daily tips",
    "đổi ngôn ngữ",
    "更改語言",
  ])
    expect({ text, course: mentionsCourse(text, catalog) }).toEqual({ text, course: false });
});

test("a help answer for a course question becomes 'did you mean', the course topic first", () => {
  const held = courseFirst(
    "how do I switch my function to a different mode of invocation",
    helpWins,
    noRule,
    catalog,
  );
  expect(held).toEqual({
    decision: "unsure",
    candidates: [helpWins.candidates[1], helpWins.candidates[0]],
  });
  expect(courseFirst("switch to rules mode please", helpWins, noRule, catalog)).toBe(helpWins);
});
