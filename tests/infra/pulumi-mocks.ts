/**
 * Test harness for the Pulumi program: mocks that record every resource's inputs and return realistic
 * computed outputs (ARNs, URLs, names), plus helpers to await outputs and read secrets. Call
 * {@link installMocks} before importing or building any component.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bundleFiles, functions } from "../../contracts/runtime";

/** Pulumi's marker for a secret value inside resource inputs. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** One resource the program registered. */
export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs as the engine would receive them: secrets still wrapped. */
  rawInputs: Record<string, unknown>;
  /** Inputs with secrets unwrapped, for assertions on values. */
  // biome-ignore lint/suspicious/noExplicitAny: resource inputs are untyped JSON.
  inputs: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: mocked outputs are untyped JSON.
  state: Record<string, any>;
}

/** What {@link installMocks} returns. */
export interface MockedProgram {
  resources: RecordedResource[];
  /** Resources of one type token, e.g. `aws:lambda/function:Function`. */
  ofType(type: string): RecordedResource[];
}

export const account = "123456789012";
export const region = "us-east-1";

/** True when `value` is a wrapped secret. */
export function isWrappedSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && secretSignature in value && "value" in value;
}

/** Removes secret wrappers, recursively. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    if (isWrappedSecret(value)) return unwrapSecrets((value as { value: unknown }).value);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

function computedOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  id: string,
): Record<string, unknown> {
  const physical = typeof inputs.name === "string" ? inputs.name : `${name}-a1b2c3`;
  switch (type) {
    case "aws:dynamodb/table:Table":
      return { name: physical, arn: `arn:aws:dynamodb:${region}:${account}:table/${physical}` };
    case "aws:sqs/queue:Queue":
      return {
        name: physical,
        arn: `arn:aws:sqs:${region}:${account}:${physical}`,
        url: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
      };
    case "aws:ssm/parameter:Parameter":
      return { arn: `arn:aws:ssm:${region}:${account}:parameter${physical}`, version: 1 };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physical, arn: `arn:aws:logs:${region}:${account}:log-group:${physical}` };
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${account}:function:${physical}`;
      return {
        name: physical,
        arn,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      };
    }
    case "aws:iam/role:Role":
      return { name: physical, arn: `arn:aws:iam::${account}:role/${physical}` };
    case "aws:apigatewayv2/api:Api":
      return {
        apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${region}:${account}:${id}`,
        arn: `arn:aws:apigateway:${region}::/apis/${id}`,
      };
    case "aws:sns/topic:Topic":
      return { arn: `arn:aws:sns:${region}:${account}:${physical}` };
    case "aws:scheduler/schedule:Schedule":
      return { name: physical, arn: `arn:aws:scheduler:${region}:${account}:schedule/default/${physical}` };
    case "aws:cloudwatch/dashboard:Dashboard":
      return { dashboardArn: `arn:aws:cloudwatch::${account}:dashboard/${inputs.dashboardName}` };
    case "pulumi-nodejs:dynamic/lambdagram:RandomToken":
      return { value: `random-token-for-${name}` };
    case "pulumi-nodejs:dynamic/lambdagram:TelegramBotInfo":
      return {
        botInfo: JSON.stringify({
          id: 42,
          is_bot: true,
          first_name: "Lambdagram",
          username: "lambdagram_bot",
        }),
      };
    default:
      return { arn: `arn:aws:mock:${region}:${account}:${name}` };
  }
}

/** Installs recording mocks for `project`/`stack` (preview off, so every `apply` runs). */
export function installMocks(options: { project?: string; stack?: string } = {}): MockedProgram {
  const resources: RecordedResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const id = `${args.name}-id`;
        const state = { ...inputs, ...computedOutputs(args.type, args.name, inputs, id) };
        resources.push({ type: args.type, name: args.name, rawInputs: args.inputs, inputs, state });
        return { id, state };
      },
      call(args) {
        if (args.token === "aws:index/getRegion:getRegion") return { id: region, name: region, region };
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return {
            id: account,
            accountId: account,
            arn: `arn:aws:iam::${account}:user/test`,
            userId: "AIDTEST",
          };
        }
        return args.inputs;
      },
    },
    options.project ?? "lambdagram",
    options.stack ?? "prod",
    false,
  );
  return { resources, ofType: (type) => resources.filter((resource) => resource.type === type) };
}

/** Sets the stack config (`lambdagram:<key>`); keys in `secrets` are secret, like `--secret`. */
export function setStackConfig(
  values: Record<string, string>,
  secrets: string[] = [],
  project = "lambdagram",
): void {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(values).map(([key, value]) => [`${project}:${key}`, value])),
    secrets.map((key) => `${project}:${key}`),
  );
}

/** Resolves an output (mocks run with preview off, so it always resolves). */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until the program stops registering resources (registration is asynchronous). */
export async function settle(program: MockedProgram, quietMs = 100): Promise<void> {
  let count = -1;
  while (count !== program.resources.length) {
    count = program.resources.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

/** A folder with a stub `index.js` per function, standing in for dist/ (bundles are tested on their own). */
export function stubDist(options: { model?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "lambdagram-dist-"));
  for (const name of Object.keys(functions)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, "index.js"), "exports.handler = async () => ({ statusCode: 200 });\n");
  }
  // The webhook carries the trained model like `npm run build` after `npm run nlp:train` (unless told not to).
  if (options.model ?? true) writeFileSync(path.join(dir, "webhook", bundleFiles.model), "{}\n");
  return dir;
}

/** The config every stack test starts from. */
export const baseConfig = {
  telegramBotToken: "123456:TEST-token-never-in-plaintext",
  adminUserIds: "1001,1002",
};
