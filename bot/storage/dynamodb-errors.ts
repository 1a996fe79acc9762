/**
 * How every DynamoDB adapter translates vendor errors (Powertools' habit): a refused condition is an
 * answer, not a failure; anything else the backend throws becomes a {@link StorageError} naming the
 * operation, while the domain errors an adapter means to throw pass through unchanged.
 */
import { StorageError } from "../ports";

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

/** Runs a conditional write; true if it was applied, false if its condition refused it. */
export async function conditional(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
