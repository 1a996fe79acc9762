/** The /forget table-scan scenario (forget-scan.ts) on dynalite; on DynamoDB Local in the .dynamodb-local twin. */
import { startDynalite } from "../helpers/dynamo";
import { describeForgetScan } from "./forget-scan";

describeForgetScan("dynalite", () => startDynalite({ tableName: "privacy-scan" }));
