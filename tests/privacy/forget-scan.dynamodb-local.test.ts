/**
 * The /forget table-scan scenario (forget-scan.ts) on Amazon's own DynamoDB Local. Not part of `npm test`: run
 * it with `npm run test:dynamodb-local` (needs Java 17).
 */
import { startDynamoDbLocal } from "../helpers/dynamo";
import { describeForgetScan } from "./forget-scan";

describeForgetScan("DynamoDB Local", () => startDynamoDbLocal({ tableName: "privacy-scan" }));
