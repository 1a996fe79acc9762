/** The /results text: labels and shares in the reader's language, HTML-escaped, split under Telegram's limit. */

import { translator } from "../../bot/i18n";
import { aggregateResponses } from "../../bot/questionnaire-results/aggregate";
import { resultsMessages } from "../../bot/questionnaire-results/format";
import type { Questionnaire } from "../../content/schema";
import { defaultContent } from "../helpers/bot-harness";
import { response, survey } from "./fixtures";

const content = defaultContent();
const options = (questionnaire: Questionnaire, language = "en") => ({
  questionnaire,
  language,
  defaultLanguage: "en",
  t: translator(content, language),
});

describe("resultsMessages", () => {
  it("shows each choice's label, count and share, the average, and the answers of an older version", () => {
    const results = aggregateResponses(survey, [
      response({ rating: "5", level: "beginner", topics: ["lambda", "s3"], age: 20 }),
      response({ rating: "3", level: "advanced", topics: ["lambda"], comment: "<b>hi</b> & bye" }),
      response({ rating: "4", level: "beginner", topics: ["iam"] }, { questionnaireVersion: 1 }),
    ]);

    const [text, ...rest] = resultsMessages(results, options(survey));

    expect(rest).toEqual([]);
    expect(text).toContain("📊 <b>Survey</b>: 3 completed (questions version 2)");
    expect(text).toContain("1 of them answered an earlier version of the questions.");
    expect(text).toContain("<b>Level?</b>\nBeginner: 2 (67%)\nAdvanced: 1 (33%)");
    expect(text).toContain(
      "Lambda: 2 (67%)\nS3: 1 (33%)\nIAM: 1 (33%)\n3 answered (several choices allowed)",
    );
    expect(text).toContain("Average: 4 (lowest 3, highest 5)");
    expect(text).toContain("<b>Age?</b>\nAverage: 20 (lowest 20, highest 20)\n1 answered");
    expect(text).toContain("✍️ Written answers: 1");
    expect(text).not.toContain("<b>hi</b>");
  });

  it("uses the reader's language for labels and numbers", () => {
    const results = aggregateResponses(survey, [response({ rating: "5" }), response({ rating: "4" })]);

    const [text] = resultsMessages(results, options(survey, "vi"));

    expect(text).toContain("5 ⭐ (vi): 1 (50%)");
    expect(text).toContain("Trung bình: 4,5");
  });

  it("splits long results into messages under 4,096 characters without cutting a question apart", () => {
    const label = (text: string) => ({ en: text });
    const many: Questionnaire = {
      ...survey,
      questions: Array.from({ length: 40 }, (_, q) => ({
        id: `q${q}`,
        type: "choice" as const,
        optional: false,
        prompt: label(`Question ${q}: ${"how was it? ".repeat(8)}`),
        options: Array.from({ length: 12 }, (_, o) => ({
          value: `o${o}`,
          label: label(`Option ${o} of question ${q}`),
        })),
      })),
    };
    const results = aggregateResponses(many, [response({ q0: "o1", q39: "o11" })]);

    const messages = resultsMessages(results, options(many));

    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(message.length).toBeLessThanOrEqual(4096);
    const blocks = messages.join("\n\n");
    for (let q = 0; q < 40; q++) expect(blocks).toContain(`<b>Question ${q}:`);
    expect(messages.every((m, i) => i === 0 || m.startsWith("<b>Question"))).toBe(true);
  });
});
