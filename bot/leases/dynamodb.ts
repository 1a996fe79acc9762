/**
 * {@link LeasedClaims} on the single table: each item is one DynamoDB item, every step one conditional
 * single-item write (no transactions, so dynalite runs it too). A write refused by its own first attempt
 * (answer lost, client retried) is told apart from a rival's with one consistent read ({@link showsOwnWrite}).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../contracts/table";
import type { Clock } from "../ports";
import { conditional, guarded, showsOwnWrite } from "../storage/dynamodb-errors";
import { systemClock } from "../storage/shared";
import { type ClaimState, definedFields, type Lease, type LeasedClaims, type Outcome } from "./port";

const pk = tableDefinition.partitionKey;

/** The condition under which an item may be claimed or settled (see `isClaimable` in port.ts). */
const claimable =
  "attribute_not_exists(#pk) OR #status = :released OR (#status = :sending AND #lease < :now)";

/** Options of {@link DynamoLeasedClaims}. */
export interface DynamoLeasedClaimsOptions<Key> {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  /** Names the operations in errors: `<name>.claim`, `<name>.finish`... */
  name: string;
  /** The item's primary key. */
  key(key: Key): Record<string, unknown>;
  /** Attributes written with a claim or a settle besides the state (e.g. the user id). */
  attributes?(key: Key): Record<string, unknown>;
  /** The attribute that records when the outcome was written (`finishedAt`, `sentAt`). */
  finishedAtAttribute: string;
  /** How long items are kept (DynamoDB TTL). */
  ttlSeconds: number;
  /** The outcome fields {@link DynamoLeasedClaims.state} reads back (`detail`, `tipId`...). */
  outcomeFields?: readonly string[];
}

/**
 * Leased claims on DynamoDB items; see the module comment. A store whose items are claimed extends it (the
 * broadcast and tip stores), so the protocol is written here only.
 */
export class DynamoLeasedClaims<Key, Status extends string> implements LeasedClaims<Key, Status> {
  readonly #options: DynamoLeasedClaimsOptions<Key>;
  /** The document client, for the extending store's own items too. */
  protected readonly client: DynamoDBDocumentClient;
  protected readonly tableName: string;
  /** Time stamps and expiry (default: the system clock). */
  protected readonly clock: Clock;

  constructor(options: DynamoLeasedClaimsOptions<Key>) {
    this.#options = options;
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock ?? systemClock;
  }

  /** The TTL attribute's value for an item written now. */
  protected expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + this.#options.ttlSeconds;
  }

  /** A put of a fresh state, allowed only on a claimable item. */
  #putIfClaimable(key: Key, state: Record<string, unknown>, nowMs: number) {
    const { client, tableName } = this.#options;
    return client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...this.#options.key(key),
          ...this.#options.attributes?.(key),
          ...state,
          [tableDefinition.ttlAttribute]: this.expiresAt(),
        },
        ConditionExpression: claimable,
        ExpressionAttributeNames: { "#pk": pk, "#status": "status", "#lease": "leaseUntil" },
        ExpressionAttributeValues: { ":released": "released", ":sending": "sending", ":now": nowMs },
      }),
    );
  }

  #showsOwn(key: Key, expected: Record<string, unknown>): Promise<boolean> {
    return showsOwnWrite(this.#options.client, this.#options.tableName, this.#options.key(key), expected);
  }

  /** @inheritdoc */
  claim(key: Key, lease: Lease): Promise<boolean> {
    return guarded(`${this.#options.name}.claim`, () =>
      conditional(
        () =>
          this.#putIfClaimable(
            key,
            { status: "sending", owner: lease.owner, leaseUntil: lease.leaseUntil },
            lease.nowMs,
          ),
        () => this.#showsOwn(key, { status: "sending", owner: lease.owner }),
      ),
    );
  }

  /** @inheritdoc */
  finish(key: Key, owner: string, outcome: Outcome<Status>): Promise<boolean> {
    const fields = Object.entries(definedFields(outcome.fields));
    const sets = ["#status = :status", "#at = :at", ...fields.map((_, i) => `#f${i} = :f${i}`)];
    return guarded(`${this.#options.name}.finish`, () =>
      conditional(
        () =>
          this.#options.client.send(
            new UpdateCommand({
              TableName: this.#options.tableName,
              Key: this.#options.key(key),
              UpdateExpression: `SET ${sets.join(", ")} REMOVE #lease`,
              ConditionExpression: "#status = :sending AND #owner = :owner",
              ExpressionAttributeNames: {
                "#status": "status",
                "#owner": "owner",
                "#lease": "leaseUntil",
                "#at": this.#options.finishedAtAttribute,
                ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
              },
              ExpressionAttributeValues: {
                ":status": outcome.status,
                ":sending": "sending",
                ":owner": owner,
                ":at": this.clock.now().toISOString(),
                ...Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
              },
            }),
          ),
        () => this.#showsOwn(key, { status: outcome.status, owner }),
      ),
    );
  }

  /** @inheritdoc */
  release(key: Key, owner: string): Promise<void> {
    return guarded(`${this.#options.name}.release`, async () => {
      await conditional(() =>
        this.#options.client.send(
          new UpdateCommand({
            TableName: this.#options.tableName,
            Key: this.#options.key(key),
            UpdateExpression: "SET #status = :released REMOVE #lease",
            ConditionExpression: "#status = :sending AND #owner = :owner",
            ExpressionAttributeNames: { "#status": "status", "#owner": "owner", "#lease": "leaseUntil" },
            ExpressionAttributeValues: { ":released": "released", ":sending": "sending", ":owner": owner },
          }),
        ),
      );
    });
  }

  /** @inheritdoc */
  settle(key: Key, status: Status, nowMs: number): Promise<boolean> {
    return guarded(`${this.#options.name}.settle`, () =>
      conditional(() => this.#putIfClaimable(key, { status }, nowMs)),
    );
  }

  /** @inheritdoc */
  state(key: Key): Promise<ClaimState<Status> | undefined> {
    return guarded(`${this.#options.name}.state`, async () => {
      const { Item } = await this.#options.client.send(
        new GetCommand({
          TableName: this.#options.tableName,
          Key: this.#options.key(key),
          ConsistentRead: true,
        }),
      );
      return Item ? toClaimState<Status>(Item, this.#options.outcomeFields) : undefined;
    });
  }
}

/** Attributes of a claimed item that are not outcome fields. */
const stateAttributes = new Set(["status", "owner", "leaseUntil"]);

/** Reads the state out of an item; string attributes other than keys and bookkeeping are its fields. */
export function toClaimState<Status extends string>(
  item: Record<string, unknown>,
  fieldNames: readonly string[] = [],
): ClaimState<Status> {
  const fields: Record<string, string> = {};
  for (const name of fieldNames)
    if (!stateAttributes.has(name) && typeof item[name] === "string") fields[name] = item[name] as string;
  return {
    status: item.status as Status,
    ...(typeof item.owner === "string" ? { owner: item.owner } : {}),
    ...(typeof item.leaseUntil === "number" ? { leaseUntil: item.leaseUntil } : {}),
    fields,
  };
}
