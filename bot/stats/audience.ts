/**
 * {@link AudienceCounter} adapters. Users and subscribers are counted from the table in the admin path rather
 * than from metrics: a subscriber count from subscribe/unsubscribe metrics would drift (users who block the bot
 * are unsubscribed by the broadcast worker, /forget deletes profiles, and CloudWatch keeps 15 months), while
 * the table's indexes hold exactly the profiles (`audience`, 16 shards) and exactly the subscribers the tip run
 * serves (`tipsDue`, sparse, 24 hour partitions). The update path gains nothing.
 *
 * - {@link DynamoAudienceCounter}: Query with `Select: COUNT` on each partition, all in parallel, following
 *   `LastEvaluatedKey` (a COUNT reads the items like a Query: ~0.5 RCU per 4 KB read, eventually consistent;
 *   100,000 profiles of ~310 B are ~4,000 RCU, a fraction of a cent, and 16 parallel chains of 2 pages).
 * - {@link PagedAudienceCounter}: pages any {@link UserStore} through its port (the in-memory storage of tests
 *   and the terminal chat).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { audienceShards, type TableIndex, tableIndex } from "../../contracts/table";
import { keys } from "../storage/dynamodb";
import { queryPages } from "../storage/dynamodb-client";
import { guarded } from "../storage/dynamodb-errors";
import type { Page, UserProfile, UserStore } from "../storage/port";
import type { AudienceCounter, AudienceCounts } from "./port";

const audienceIndex = tableIndex("audience");
const tipsIndex = tableIndex("tipsDue");
/** Tip hours, one `tipsDue` partition each. */
const tipHours = 24;

/** Counts with `Select: COUNT` Queries on the two indexes (see the module comment). */
export class DynamoAudienceCounter implements AudienceCounter {
  /** `pageLimit`: items a page may evaluate (tests page with a small one; DynamoDB's 1 MB pages otherwise). */
  constructor(
    private readonly options: { client: DynamoDBDocumentClient; tableName: string; pageLimit?: number },
  ) {}

  /** @inheritdoc */
  count(): Promise<AudienceCounts> {
    return guarded("audience.count", async () => {
      const shards = Array.from({ length: audienceShards }, (_, shard) =>
        this.countPartition(audienceIndex, keys.audiencePk(shard)),
      );
      const hours = Array.from({ length: tipHours }, (_, hour) =>
        this.countPartition(tipsIndex, keys.tipsPk(hour)),
      );
      const [users, subscribers] = await Promise.all([Promise.all(shards), Promise.all(hours)]);
      return { users: sumOf(users), subscribers: sumOf(subscribers) };
    });
  }

  private async countPartition(index: TableIndex, partition: string): Promise<number> {
    let total = 0;
    await queryPages(
      this.options.client,
      {
        TableName: this.options.tableName,
        IndexName: index.name,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": index.partitionKey },
        ExpressionAttributeValues: { ":pk": partition },
        Select: "COUNT",
        ...(this.options.pageLimit ? { Limit: this.options.pageLimit } : {}),
      },
      (page) => {
        total += page.Count ?? 0;
      },
    );
    return total;
  }
}

/** Counts by paging a {@link UserStore}'s `listAudience` and `listSubscribersDue` (see the module comment). */
export class PagedAudienceCounter implements AudienceCounter {
  constructor(
    private readonly users: UserStore,
    private readonly pageLimit = 1000,
  ) {}

  /** @inheritdoc */
  async count(): Promise<AudienceCounts> {
    const pages = async (list: (cursor?: string) => Promise<Page<UserProfile>>) => {
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await list(cursor);
        total += page.items.length;
        cursor = page.cursor;
      } while (cursor);
      return total;
    };
    const users = await Promise.all(
      Array.from({ length: audienceShards }, (_, shard) =>
        pages((cursor) => this.users.listAudience(shard, { cursor, limit: this.pageLimit })),
      ),
    );
    const subscribers = await Promise.all(
      Array.from({ length: tipHours }, (_, hour) =>
        pages((cursor) => this.users.listSubscribersDue(hour, { cursor, limit: this.pageLimit })),
      ),
    );
    return { users: sumOf(users), subscribers: sumOf(subscribers) };
  }
}

function sumOf(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
