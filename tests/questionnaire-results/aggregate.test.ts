/** The pure results aggregation: counts per choice, averages, text answers counted, older versions. */
import { aggregateResponses, ResultsTally } from "../../bot/questionnaire-results/aggregate";
import { response, survey } from "./fixtures";

describe("aggregateResponses", () => {
  const responses = [
    response({ rating: "5", level: "beginner", topics: ["lambda", "s3"], age: 30, comment: "Great" }),
    response({ rating: "4", level: "beginner", topics: ["lambda"], age: 40 }),
    response({ rating: "5", level: "advanced", topics: ["iam", "lambda"], comment: "More IAM please" }),
    response({ rating: "2", level: "beginner", topics: ["s3"] }, { questionnaireVersion: 1 }),
  ];

  it("counts completions, per version, and the first and last submission", () => {
    const results = aggregateResponses(survey, responses);

    expect(results).toMatchObject({
      questionnaireId: "survey",
      version: 2,
      completions: 4,
      byVersion: { "1": 1, "2": 3 },
      firstSubmittedAt: responses[0]?.submittedAt,
      lastSubmittedAt: responses[3]?.submittedAt,
    });
    expect(results.questions.map((q) => q.id)).toEqual(["rating", "level", "topics", "age", "comment"]);
  });

  it("counts each offered choice in content order, zeros included, and averages a numeric rating scale", () => {
    const [rating, level] = aggregateResponses(survey, responses).questions;

    expect(rating).toEqual({
      id: "rating",
      type: "choice",
      answered: 4,
      counts: [
        { value: "1", count: 0, offered: true },
        { value: "2", count: 1, offered: true },
        { value: "3", count: 0, offered: true },
        { value: "4", count: 1, offered: true },
        { value: "5", count: 2, offered: true },
      ],
      numbers: { average: 4, min: 2, max: 5 },
    });
    expect(level).toEqual({
      id: "level",
      type: "choice",
      answered: 4,
      counts: [
        { value: "beginner", count: 3, offered: true },
        { value: "advanced", count: 1, offered: true },
      ],
    });
  });

  it("counts a several-of answer once per chosen option, so counts may add up to more than the answers", () => {
    const topics = aggregateResponses(survey, responses).questions[2];

    expect(topics).toEqual({
      id: "topics",
      type: "multi",
      answered: 4,
      counts: [
        { value: "lambda", count: 3, offered: true },
        { value: "s3", count: 2, offered: true },
        { value: "iam", count: 1, offered: true },
      ],
    });
  });

  it("averages whole-number answers over those who answered, and counts text answers", () => {
    const [, , , age, comment] = aggregateResponses(survey, responses).questions;

    expect(age).toEqual({
      id: "age",
      type: "integer",
      answered: 2,
      numbers: { average: 35, min: 30, max: 40 },
    });
    expect(comment).toEqual({ id: "comment", type: "text", answered: 2 });
  });

  it("keeps a value the content no longer offers apart, and ignores answers to removed questions", () => {
    const old = response(
      { level: "expert", removed: "x", rating: "3", topics: [] },
      { questionnaireVersion: 1 },
    );

    const results = aggregateResponses(survey, [old]);

    expect(results.questions[1]).toMatchObject({
      answered: 1,
      counts: [
        { value: "beginner", count: 0, offered: true },
        { value: "advanced", count: 0, offered: true },
        { value: "expert", count: 1, offered: false },
      ],
    });
    // An empty several-of answer is no answer.
    expect(results.questions[2]).toMatchObject({ answered: 0 });
    expect(results.questions.map((q) => q.id)).not.toContain("removed");
  });

  it("reports no completions and no averages without responses", () => {
    const results = aggregateResponses(survey, []);

    expect(results.completions).toBe(0);
    expect(results.firstSubmittedAt).toBeUndefined();
    expect(results.questions[0]).not.toHaveProperty("numbers");
    expect(results.questions[3]).toEqual({ id: "age", type: "integer", answered: 0 });
  });

  it("gives the same results added one page at a time as all at once", () => {
    const tally = new ResultsTally(survey);
    for (const page of [responses.slice(0, 1), responses.slice(1, 3), responses.slice(3)])
      for (const submission of page) tally.add(submission);

    expect(tally.results()).toEqual(aggregateResponses(survey, responses));
  });
});
