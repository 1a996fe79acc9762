/**
 * The Pulumi program type-checks against @pulumi/aws under the project's strict tsconfig: a renamed or
 * mistyped resource argument fails here, before `pulumi up` ever runs. (Jest's @swc/jest transform does not
 * type-check, so this test asks the TypeScript compiler directly.)
 */
import * as path from "node:path";
import ts from "typescript";

const root = path.join(__dirname, "../..");

test("infra/index.ts and everything it imports type-check against @pulumi/aws and @pulumi/pulumi", () => {
  const configFile = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram({
    rootNames: [path.join(root, "infra/index.ts")],
    options: { ...parsed.options, noEmit: true },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const report = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  });
  expect(report).toBe("");
  // It really checked the AWS types, not an empty program.
  expect(
    program.getSourceFiles().some((file) => file.fileName.includes("@pulumi/aws/lambda/function.d.ts")),
  ).toBe(true);
}, 60_000);
