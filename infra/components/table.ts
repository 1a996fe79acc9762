/**
 * The single DynamoDB table, built from contracts/table.ts (the definition the local stack and the storage
 * adapter use) so keys and indexes are identical in the cloud and on a laptop.
 */
import * as dynamodb from "@pulumi/aws/dynamodb";
import * as pulumi from "@pulumi/pulumi";
import { keyAttributeNames, tableDefinition } from "../../contracts/table";

/** Arguments of {@link DataTable}. */
export interface DataTableArgs {
  /** Refuse DeleteTable (including `pulumi destroy`) until turned off; on by default outside dev stacks. */
  deletionProtection: boolean;
}

/** On-demand table with point-in-time recovery, TTL and KMS encryption at rest. */
export class DataTable extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** ARN of each global secondary index by name, for IAM statements that Query one index. */
  readonly indexArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: DataTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lambdagram:index:DataTable", name, {}, opts);
    const table = new dynamodb.Table(
      name,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: tableDefinition.partitionKey,
        rangeKey: tableDefinition.sortKey,
        attributes: keyAttributeNames().map((attribute) => ({ name: attribute, type: "S" })),
        globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.partitionKey, keyType: "HASH" },
            { attributeName: index.sortKey, keyType: "RANGE" },
          ],
          projectionType: "ALL",
        })),
        ttl: { attributeName: tableDefinition.ttlAttribute, enabled: true },
        pointInTimeRecovery: { enabled: true },
        // enabled = the AWS managed key aws/dynamodb (auditable in CloudTrail, no key to manage).
        serverSideEncryption: { enabled: true },
        deletionProtectionEnabled: args.deletionProtection,
      },
      { parent: this },
    );
    this.name = table.name;
    this.arn = table.arn;
    this.indexArns = Object.fromEntries(
      tableDefinition.globalSecondaryIndexes.map((index) => [
        index.name,
        pulumi.interpolate`${table.arn}/index/${index.name}`,
      ]),
    );
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
