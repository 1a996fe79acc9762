/** Tests run through @swc/jest (fast, no type-checking); `npm run typecheck` type-checks once, separately. */
// Lambda runs Node 22; on Node 20 the AWS SDK's upgrade notice would repeat in every test worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.dynamodb-local\\.test\\.ts$"],
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
  // Trains the default pack's model once for every worker (the local stack and NLP tests load it).
  globalSetup: "<rootDir>/tests/global-setup.ts",
};
