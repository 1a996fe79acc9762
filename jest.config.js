/** Tests run through @swc/jest (fast, no type-checking); `npm run typecheck` type-checks once, separately. */
// Lambda runs Node 22; on Node 20 the AWS SDK's upgrade notice would repeat in every test worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { availableParallelism } = require("node:os");

module.exports = {
  // Jest's default (cores - 1) is one worker on the 2-core machines we run on, while most suites wait on
  // child processes, sockets and dynalite: two workers halve the run (204 s -> 109 s, 1,004 tests).
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.dynamodb-local\\.test\\.ts$"],
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
  // Trains the default pack's model once for every worker (the local stack and NLP tests load it).
  globalSetup: "<rootDir>/tests/global-setup.ts",
};
