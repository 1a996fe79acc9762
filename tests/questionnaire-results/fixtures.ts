/** A questionnaire with one question of every type, and submissions of it, for the results and export tests. */

import type { AnswerValue, QuestionnaireSubmission } from "../../bot/storage/port";
import type { Questionnaire } from "../../content/schema";

const label = (en: string) => ({ en, vi: `${en} (vi)`, "zh-TW": `${en} (zh)` });

/** Version 2 of a survey: a 1-5 rating, a level, topics (several-of), an age and a comment. */
export const survey: Questionnaire = {
  id: "survey",
  version: 2,
  title: label("Survey"),
  intro: label("Intro"),
  questions: [
    {
      id: "rating",
      type: "choice",
      optional: false,
      prompt: label("Rating?"),
      options: ["1", "2", "3", "4", "5"].map((value) => ({ value, label: label(`${value} ⭐`) })),
    },
    {
      id: "level",
      type: "choice",
      optional: false,
      prompt: label("Level?"),
      options: [
        { value: "beginner", label: label("Beginner") },
        { value: "advanced", label: label("Advanced") },
      ],
    },
    {
      id: "topics",
      type: "multi",
      optional: false,
      minSelected: 1,
      prompt: label("Topics?"),
      options: [
        { value: "lambda", label: label("Lambda") },
        { value: "s3", label: label("S3") },
        { value: "iam", label: label("IAM") },
      ],
    },
    { id: "age", type: "integer", optional: true, prompt: label("Age?"), min: 0, max: 120 },
    {
      id: "comment",
      type: "text",
      optional: true,
      minLength: 1,
      maxLength: 1000,
      prompt: label("Comment?"),
    },
  ],
};

let runs = 0;
/** A completed run of {@link survey} by `userId` at `submittedAt` with `answers`. */
export function response(
  answers: Record<string, AnswerValue>,
  overrides: Partial<QuestionnaireSubmission> = {},
): QuestionnaireSubmission {
  runs++;
  const at = new Date(Date.UTC(2026, 11, 1, 8, 0, runs)).toISOString();
  return {
    userId: 1000 + runs,
    questionnaireId: survey.id,
    questionnaireVersion: survey.version,
    runId: `run-${runs}`,
    answers,
    answeredAt: {},
    startedAt: at,
    submittedAt: at,
    ...overrides,
  };
}
