/**
 * How every DynamoDB adapter translates vendor errors (Powertools' habit): a refused condition is an
 * answer, not a failure; anything else the backend throws becomes a {@link StorageError} naming the
 * operation, while the domain errors an adapter means to throw pass through unchanged.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, UpdateCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { StorageError } from "./port";

/** True when DynamoDB refused a conditional write (the condition was false). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * Runs one port operation, wrapping any vendor failure in a StorageError naming the operation.
 * `isDomainError` lets an adapter rethrow the named errors it throws on purpose.
 */
export async function guarded<T>(
  operation: string,
  run: () => Promise<T>,
  isDomainError: (error: unknown) => boolean = () => false,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StorageError || isDomainError(error)) throw error;
    throw new StorageError(operation, { cause: error });
  }
}

/**
 * Runs a conditional write; true if it was applied, false if its condition refused it. `appliedAnyway`
 * (see {@link showsOwnWrite}) is asked after a refusal: the refusal may come from the write's own first
 * attempt, which landed while its answer was lost, so the client's retry met it.
 */
export async function conditional(
  run: () => Promise<unknown>,
  appliedAnyway?: () => Promise<boolean>,
): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return appliedAnyway ? appliedAnyway() : false;
  }
}

/**
 * Whether the item at `key` shows this writer's own change: every attribute of `expected` (a random
 * `writeId`, or an owner token and the status it set) has that value. One consistent GetItem, asked only
 * after a refused conditional write, to tell "my first attempt landed, its answer was lost" from "someone
 * else got there first"; without it a retried write reads as lost to a rival and the work is dropped.
 */
export async function showsOwnWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, unknown>,
  expected: Record<string, unknown>,
): Promise<boolean> {
  const names = Object.keys(expected);
  const { Item } = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: names.map((_, index) => `#own${index}`).join(", "),
      ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#own${index}`, name])),
    }),
  );
  return Item !== undefined && names.every((name) => Item[name] === expected[name]);
}

/**
 * One conditional UpdateItem that answers the item as written (`ALL_NEW`), or undefined when its condition
 * refused it: the shape of every "add once" write (counters, status transitions).
 */
export async function updatedItem(
  client: DynamoDBDocumentClient,
  input: Omit<UpdateCommandInput, "ReturnValues">,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await client.send(new UpdateCommand({ ...input, ReturnValues: "ALL_NEW" }));
    return Attributes ?? {};
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
