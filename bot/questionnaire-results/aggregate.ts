/**
 * Questionnaire results as numbers, computed one response at a time so a caller can page the responses from
 * storage and never hold them all: completions, and per question the answers counted per choice (single and
 * several-of questions), the average (whole-number questions, and choice questions whose options are all
 * numbers, i.e. ratings) or just how many answered (text). Pure: no Telegram, no storage.
 */
import type { Question, Questionnaire } from "../../content/schema";
import type { AnswerValue, QuestionnaireSubmission } from "../storage/port";

/** How many respondents picked one option (for several-of questions a respondent counts once per option). */
export interface ChoiceCount {
  value: string;
  count: number;
  /** False for a value the current content no longer offers (an answer to an older version). */
  offered: boolean;
}

/** Mean, lowest and highest of the numeric answers (absent while nobody answered). */
export interface NumberSummary {
  average: number;
  min: number;
  max: number;
}

/** The results of one question. `answered` counts responses with an answer (a skipped optional one has none). */
export type QuestionResult =
  | { id: string; type: "choice"; answered: number; counts: ChoiceCount[]; numbers?: NumberSummary }
  | { id: string; type: "multi"; answered: number; counts: ChoiceCount[] }
  | { id: string; type: "integer"; answered: number; numbers?: NumberSummary }
  | { id: string; type: "text"; answered: number };

/** The results of a questionnaire: the JSON of `GET /admin/questionnaires/{id}/results` and the text of /results. */
export interface QuestionnaireResults {
  questionnaireId: string;
  /** The questionnaire's current version (content); responses may come from older ones, see `byVersion`. */
  version: number;
  completions: number;
  /** Completions per questionnaire version, e.g. `{ "1": 40, "2": 12 }`. */
  byVersion: Record<string, number>;
  firstSubmittedAt?: string;
  lastSubmittedAt?: string;
  /** One entry per question of the current content, in content order. */
  questions: QuestionResult[];
}

/** Running totals of one question. */
interface QuestionTally {
  question: Question;
  /** A choice question whose options are all numbers: also averaged. */
  rating: boolean;
  answered: number;
  counts: Map<string, number>;
  sum: number;
  numbers: number;
  min: number;
  max: number;
}

/** Whether every option value of a choice question is a number: a rating scale, worth an average too. */
function isRatingScale(question: Question): boolean {
  return (
    question.type === "choice" && question.options.every((option) => /^-?\d+(\.\d+)?$/.test(option.value))
  );
}

function isAnswered(value: AnswerValue | undefined): value is AnswerValue {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  return String(value).trim() !== "";
}

function addNumber(tally: QuestionTally, value: number): void {
  if (!Number.isFinite(value)) return;
  tally.sum += value;
  tally.numbers++;
  tally.min = Math.min(tally.min, value);
  tally.max = Math.max(tally.max, value);
}

function numberSummary(tally: QuestionTally): NumberSummary | undefined {
  if (tally.numbers === 0) return undefined;
  return { average: tally.sum / tally.numbers, min: tally.min, max: tally.max };
}

function choiceCounts(tally: QuestionTally): ChoiceCount[] {
  const question = tally.question;
  const offered = question.type === "choice" || question.type === "multi" ? question.options : [];
  const counts = offered.map((option) => ({
    value: option.value,
    count: tally.counts.get(option.value) ?? 0,
    offered: true,
  }));
  const known = new Set(offered.map((option) => option.value));
  for (const [value, count] of tally.counts)
    if (!known.has(value)) counts.push({ value, count, offered: false });
  return counts;
}

/**
 * Adds responses one at a time (`add`) and reports the results so far (`results`). Answers to questions the
 * current content no longer has are not counted; values it no longer offers are counted as not `offered`.
 */
export class ResultsTally {
  private completions = 0;
  private readonly byVersion: Record<string, number> = {};
  private first: string | undefined;
  private last: string | undefined;
  private readonly tallies: QuestionTally[];

  constructor(private readonly questionnaire: Questionnaire) {
    this.tallies = questionnaire.questions.map((question) => ({
      question,
      rating: isRatingScale(question),
      answered: 0,
      counts: new Map(),
      sum: 0,
      numbers: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
    }));
  }

  /** Counts one completed response. */
  add(submission: Pick<QuestionnaireSubmission, "answers" | "questionnaireVersion" | "submittedAt">): void {
    this.completions++;
    const version = String(submission.questionnaireVersion);
    this.byVersion[version] = (this.byVersion[version] ?? 0) + 1;
    if (this.first === undefined || submission.submittedAt < this.first) this.first = submission.submittedAt;
    if (this.last === undefined || submission.submittedAt > this.last) this.last = submission.submittedAt;
    for (const tally of this.tallies) {
      const value = submission.answers[tally.question.id];
      if (!isAnswered(value)) continue;
      tally.answered++;
      const type = tally.question.type;
      if (type === "choice" || type === "multi") {
        const values = Array.isArray(value) ? value : [String(value)];
        for (const chosen of new Set(values)) tally.counts.set(chosen, (tally.counts.get(chosen) ?? 0) + 1);
        if (tally.rating) addNumber(tally, Number(values[0]));
      } else if (type === "integer") {
        addNumber(tally, typeof value === "number" ? value : Number(value));
      }
    }
  }

  /** The results of every response added so far. */
  results(): QuestionnaireResults {
    return {
      questionnaireId: this.questionnaire.id,
      version: this.questionnaire.version,
      completions: this.completions,
      byVersion: { ...this.byVersion },
      ...(this.first ? { firstSubmittedAt: this.first } : {}),
      ...(this.last ? { lastSubmittedAt: this.last } : {}),
      questions: this.tallies.map((tally) => questionResult(tally)),
    };
  }
}

function questionResult(tally: QuestionTally): QuestionResult {
  const { question, answered } = tally;
  const numbers = numberSummary(tally);
  switch (question.type) {
    case "choice":
      return {
        id: question.id,
        type: "choice",
        answered,
        counts: choiceCounts(tally),
        ...(numbers ? { numbers } : {}),
      };
    case "multi":
      return { id: question.id, type: "multi", answered, counts: choiceCounts(tally) };
    case "integer":
      return { id: question.id, type: "integer", answered, ...(numbers ? { numbers } : {}) };
    case "text":
      return { id: question.id, type: "text", answered };
  }
}

/** The results of `submissions` (all in memory; for paged reading use {@link ResultsTally} directly). */
export function aggregateResponses(
  questionnaire: Questionnaire,
  submissions: Iterable<Pick<QuestionnaireSubmission, "answers" | "questionnaireVersion" | "submittedAt">>,
): QuestionnaireResults {
  const tally = new ResultsTally(questionnaire);
  for (const submission of submissions) tally.add(submission);
  return tally.results();
}
