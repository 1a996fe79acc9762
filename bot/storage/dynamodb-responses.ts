/**
 * The `responses` index of questionnaire submissions (contracts/table.ts): the attributes a submission item
 * carries so DynamoDB indexes it under its questionnaire, and the paged Query that reads one questionnaire's
 * responses oldest first. Kept apart from dynamodb.ts so the submission store stays one readable class.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tableIndex } from "../../contracts/table";
import { queryIndexPage } from "./dynamodb-client";
import type { Page, QuestionnaireSubmission } from "./port";
import { checkQuestionnaireId, responseSortKey } from "./shared";

const responsesIndex = tableIndex("responses");

/** Attributes of a submission item that are not part of {@link QuestionnaireSubmission}. */
const submissionBookkeeping = ["pk", "sk", "responsesPk", "responsesSk"];

/** Partition of the `responses` index holding one questionnaire's runs. */
export function responsesPartition(questionnaireId: string): string {
  return `Q#${questionnaireId}`;
}

/** The `responses` index attributes a submission item is written with (in the same PutItem: no extra request). */
export function responsesIndexAttributes(
  submission: Pick<QuestionnaireSubmission, "questionnaireId" | "submittedAt" | "userId" | "runId">,
): { responsesPk: string; responsesSk: string } {
  return {
    responsesPk: responsesPartition(submission.questionnaireId),
    responsesSk: responseSortKey(submission),
  };
}

/** A stored submission item without its keys and index attributes. */
export function toSubmission(item: Record<string, unknown>): QuestionnaireSubmission {
  const submission: Record<string, unknown> = { ...item };
  for (const attribute of submissionBookkeeping) delete submission[attribute];
  return submission as unknown as QuestionnaireSubmission;
}

/**
 * One Query page of the `responses` index for `questionnaireId` (eventually consistent: a GSI cannot be read
 * consistently). The cursor is the base64url JSON of `LastEvaluatedKey`; one from another query is refused.
 */
export async function queryResponses(
  options: { client: DynamoDBDocumentClient; tableName: string },
  questionnaireId: string,
  page: { cursor?: string; limit?: number } = {},
): Promise<Page<QuestionnaireSubmission>> {
  checkQuestionnaireId(questionnaireId);
  const found = await queryIndexPage(
    options.client,
    options.tableName,
    responsesIndex,
    responsesPartition(questionnaireId),
    page,
  );
  return { ...found, items: found.items.map(toSubmission) };
}
