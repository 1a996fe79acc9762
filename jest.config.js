/** Tests run through @swc/jest (fast, no type-checking); `npm run typecheck` type-checks once, separately. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "\\.dynamodb-local\\.test\\.ts$"],
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  testTimeout: 30000,
};
