/**
 * The contract of `answers.listResponses` (one questionnaire's completed runs, all users, oldest first, paged),
 * run on the in-memory twin, dynalite and DynamoDB Local so the results and exports read the same from each.
 */
import { InvalidStorageArgumentError } from "../../bot/storage/errors";
import { type AnswerStore, type QuestionnaireSubmission, StorageError } from "../../bot/storage/port";
import { aSubmission } from "./contract";

/** One fresh, empty answer store per test. */
export interface ResponsesSubject {
  answers: AnswerStore;
  /** Makes the backend fail (delete the table, simulate an outage). */
  breakBackend(): Promise<void>;
  teardown(): Promise<void>;
}

/** The n-th run of `questionnaireId` by `userId`, submitted n minutes after 09:00. */
function run(questionnaireId: string, userId: number, minute: number): QuestionnaireSubmission {
  const at = new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString();
  return aSubmission({
    userId,
    questionnaireId,
    runId: `run-${userId}-${minute}`,
    startedAt: at,
    submittedAt: at,
    answers: { rating: String((minute % 5) + 1) },
  });
}

/** Every response of `questionnaireId`, following cursors, checking each page respects `limit`. */
async function everyResponse(answers: AnswerStore, questionnaireId: string, limit: number) {
  const runIds: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await answers.listResponses(questionnaireId, { limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    runIds.push(...page.items.map((submission) => submission.runId));
    cursor = page.cursor;
    if (++pages > 1000) throw new Error("paging never ended: the cursor does not advance");
  } while (cursor);
  return { runIds, pages };
}

/** Registers the responses contract for one implementation; `setup` runs before every test. */
export function describeResponsesContract(name: string, setup: () => Promise<ResponsesSubject>): void {
  describe(`responses contract: ${name}`, () => {
    let subject: ResponsesSubject;
    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.teardown();
    });

    it("lists one questionnaire's responses of every user, oldest submission first, and nothing else", async () => {
      // Saved out of order, by several users, with another questionnaire mixed in.
      const order = [7, 3, 11, 0, 5];
      for (const minute of order) await subject.answers.save(run("course-feedback", 100 + minute, minute));
      await subject.answers.save(run("learner-profile", 101, 1));

      const page = await subject.answers.listResponses("course-feedback");

      expect(page.items.map((s) => s.runId)).toEqual([
        "run-100-0",
        "run-103-3",
        "run-105-5",
        "run-107-7",
        "run-111-11",
      ]);
      expect(page.cursor).toBeUndefined();
    });

    it("returns each submission exactly as saved, without keys or index attributes", async () => {
      const submission = run("course-feedback", 42, 2);
      await subject.answers.save(submission);

      const { items } = await subject.answers.listResponses("course-feedback");

      expect(items).toEqual([submission]);
      // The per-user read is unchanged by the index attributes the item now carries.
      expect(await subject.answers.list(42)).toEqual([submission]);
    });

    it("pages 23 responses by 5 with every response once, in order", async () => {
      for (let minute = 0; minute < 23; minute++)
        await subject.answers.save(run("course-feedback", 200 + (minute % 4), minute));

      const { runIds, pages } = await everyResponse(subject.answers, "course-feedback", 5);

      expect(runIds).toHaveLength(23);
      expect(new Set(runIds).size).toBe(23);
      expect(runIds[0]).toBe("run-200-0");
      expect(runIds.at(-1)).toBe("run-202-22");
      expect(pages).toBeGreaterThanOrEqual(5);
    });

    it("keeps one response for a retried save of the same run", async () => {
      const submission = run("course-feedback", 9, 4);
      await subject.answers.save(submission);
      await subject.answers.save({ ...submission, submittedAt: "2026-01-05T10:00:00.000Z" });

      const { items } = await subject.answers.listResponses("course-feedback");

      expect(items).toEqual([submission]);
    });

    it("answers an empty page for a questionnaire without responses", async () => {
      expect(await subject.answers.listResponses("nobody-answered")).toEqual({ items: [] });
    });

    it("refuses a cursor of another questionnaire, a bad limit and an id with '#'", async () => {
      for (let minute = 0; minute < 3; minute++) await subject.answers.save(run("a", 1, minute));
      const { cursor } = await subject.answers.listResponses("a", { limit: 1 });
      expect(cursor).toBeDefined();

      await expect(subject.answers.listResponses("b", { cursor: cursor as string })).rejects.toThrow(
        InvalidStorageArgumentError,
      );
      await expect(subject.answers.listResponses("a", { cursor: "not-a-cursor" })).rejects.toThrow(
        InvalidStorageArgumentError,
      );
      await expect(subject.answers.listResponses("a", { limit: 0 })).rejects.toThrow(
        InvalidStorageArgumentError,
      );
      await expect(subject.answers.listResponses("a#b")).rejects.toThrow(InvalidStorageArgumentError);
    });

    it("fails with StorageError when the backend fails, never with an empty page", async () => {
      await subject.breakBackend();

      await expect(subject.answers.listResponses("course-feedback")).rejects.toThrow(StorageError);
    });
  });
}
