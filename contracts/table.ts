/**
 * The one definition of the DynamoDB table layout. The Pulumi program, the local stack (dynalite) and the
 * storage adapter all read it, so keys and indexes can never drift apart between cloud and laptop.
 * See docs/data-model.md for the access patterns behind each key.
 */
export const tableDefinition = {
  /**
   * Partition key of every item, e.g. `CHAT#42`, `USER#42`, `BROADCAST#<id>`, `INBOX` (bot/inbox/store/); human
   * handoff adds `HANDOFF#<threadId>` and `HANDOFFMSG#<supportChatId>#<messageId>` (bot/handoff/store/port.ts).
   */
  partitionKey: "pk",
  /** Sort key of every item, e.g. `STATE`, `PROFILE`, `ANSWERS#...`. */
  sortKey: "sk",
  /** Epoch-seconds attribute DynamoDB TTL uses to expire claims and processed markers. */
  ttlAttribute: "expiresAt",
  globalSecondaryIndexes: [
    {
      /** All users, spread over shards so a broadcast can page them in parallel without a hot key. */
      name: "audience",
      partitionKey: "audiencePk",
      sortKey: "audienceSk",
    },
    {
      /** Sparse index of subscribers by tip hour: only subscribed, unblocked users carry these attributes. */
      name: "tipsDue",
      partitionKey: "tipsPk",
      sortKey: "tipsSk",
    },
    {
      /**
       * Sparse index of completed questionnaire runs by questionnaire (`Q#<questionnaireId>`), oldest first
       * (`<submittedAt>#<userId>#<runId>`): results and exports page one questionnaire without a scan. Only
       * submission items carry these attributes, written by the submission's own PutItem.
       */
      name: "responses",
      partitionKey: "responsesPk",
      sortKey: "responsesSk",
    },
    {
      /**
       * Sparse index of blocked users by the UTC day they were marked blocked (`BLOCKED#<YYYY-MM-DD>`): the
       * hourly sweep forgets those blocked longer than `forgetBlockedAfterDays` with one Query per day.
       */
      name: "blocked",
      partitionKey: "blockedPk",
      sortKey: "blockedSk",
    },
  ],
} as const;

/** A global secondary index of {@link tableDefinition}. */
export type TableIndex = (typeof tableDefinition.globalSecondaryIndexes)[number];

/** The index named `name`, looked up by name (never by position: indexes are added over time). */
export function tableIndex<Name extends TableIndex["name"]>(name: Name): Extract<TableIndex, { name: Name }> {
  const found = tableDefinition.globalSecondaryIndexes.find((index) => index.name === name);
  if (!found) throw new Error(`contracts/table.ts defines no index "${name}".`);
  return found as Extract<TableIndex, { name: Name }>;
}

/** Number of audience shards; users are spread by `userId % audienceShards`. */
export const audienceShards = 16;

/** Attribute definitions (all keys are strings) derived from {@link tableDefinition}, for CreateTable and Pulumi. */
export function keyAttributeNames(): string[] {
  const names: string[] = [tableDefinition.partitionKey, tableDefinition.sortKey];
  for (const index of tableDefinition.globalSecondaryIndexes) names.push(index.partitionKey, index.sortKey);
  return names;
}

/** A CreateTable input (on-demand billing) built from {@link tableDefinition}; used by the local stack and tests. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: keyAttributeNames().map((name) => ({
      AttributeName: name,
      AttributeType: "S" as const,
    })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: "HASH" as const },
      { AttributeName: tableDefinition.sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" as const },
        { AttributeName: index.sortKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
  };
}
