/**
 * Errors the storage adapters add to the ones in `port.ts`. Both the in-memory twin and the DynamoDB
 * adapter throw exactly these, so callers can rely on them whichever backend they run against.
 */

/** Thrown by `UserStore.update` for a user never created: profiles are born in `createIfMissing` only. */
export class UserNotFoundError extends Error {
  constructor(readonly userId: number) {
    super(
      `User ${userId} has no profile; call users.createIfMissing(profile) before users.update(${userId}, ...).`,
    );
    this.name = "UserNotFoundError";
  }
}

/**
 * Thrown for arguments no backend could store or page with (a tip hour outside 0-23, a foreign cursor...).
 * It is a programming error, not an outage: retrying the same call fails the same way.
 */
export class InvalidStorageArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidStorageArgumentError";
  }
}
