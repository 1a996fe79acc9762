/**
 * Settings of the AWS SDK v3 clients (DynamoDB, SSM, SQS) from an environment record: the handlers pass
 * `process.env`, tests and the local stack their own. Region and credentials resolve as the SDK resolves them
 * (AWS_REGION, then the profile's region; the default credential chain: environment, SSO, profiles, container
 * and instance roles), with one shortcut: credentials given as variables (Lambda always sets the role's) are
 * used as they are, so a Lambda cold start never loads the rest of the chain. What the SDK does not pick for
 * us is the time budget: the webhook must answer within grammY's 8 s, so every attempt has a timeout and the
 * attempts with their back-off fit in it ({@link awsServiceSettings}).
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from "@smithy/core/config";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Provider } from "@smithy/types";

/** The environment, as a plain record (so tests can pass their own). */
export type Environment = Record<string, string | undefined>;

/** Thrown when a required environment variable is missing; names the variable. */
export class MissingConfigurationError extends Error {
  constructor(names: string[]) {
    super(
      `Missing environment variable ${names.join(" or ")}. On AWS the Pulumi program sets it; locally \`npm start\` does.`,
    );
    this.name = "MissingConfigurationError";
  }
}

/** Thrown when neither the environment nor the SDK's default chain (profiles, SSO, roles) has credentials. */
export class MissingAwsCredentialsError extends Error {
  constructor(options?: { cause: unknown }) {
    super(
      "No AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary " +
        "ones), or pick a profile (AWS_PROFILE, `aws sso login`). Lambda sets them from the function's role.",
      options,
    );
    this.name = "MissingAwsCredentialsError";
  }
}

/** The services Lambdagram calls. */
export type AwsService = "dynamodb" | "ssm" | "sqs" | "cloudwatch";

/** Attempts (retries included) and the time one attempt may take, per service. */
export interface AwsServiceSettings {
  maxAttempts: number;
  requestTimeoutMs: number;
}

/**
 * DynamoDB answers single-item requests in milliseconds: 4 attempts of at most 1.5 s plus the SDK's jittered
 * back-off stay under the webhook's 8 s. SSM (once per cold start) and SQS (a broadcast being queued) get 3
 * attempts of 2.5 s.
 */
export const awsServiceSettings: Record<AwsService, AwsServiceSettings> = {
  dynamodb: { maxAttempts: 4, requestTimeoutMs: 1500 },
  ssm: { maxAttempts: 3, requestTimeoutMs: 2500 },
  sqs: { maxAttempts: 3, requestTimeoutMs: 2500 },
  // GetMetricData for /stats (an admin waits for it): 2 attempts of 3 s fit the webhook's 8 s.
  cloudwatch: { maxAttempts: 2, requestTimeoutMs: 3000 },
};

/** How long opening a connection (TCP + TLS) may take before the attempt fails and is retried. */
export const connectionTimeoutMs = 1000;

/** The part of an SDK client's configuration that Lambdagram sets. */
export interface AwsClientConfig extends Partial<ProfileSettings> {
  region: string | Provider<string>;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
}

/** Settings the SDK reads from the environment and then from the shared config files (~/.aws/config). */
export interface ProfileSettings {
  useFipsEndpoint: boolean;
  useDualstackEndpoint: boolean;
  retryMode: string;
  defaultsMode: "standard" | "in-region" | "cross-region" | "mobile" | "auto" | "legacy";
  authSchemePreference: string[];
  userAgentAppId: string;
}

/**
 * On Lambda there are no shared config files, so the settings the SDK would look up there after the
 * environment are resolved from the environment alone, as the SDK would resolve them: the first request of
 * a cold start then reads no files. Elsewhere (a laptop, a profile) the SDK resolves them itself.
 */
export function profileSettingsFrom(environment: Environment): Partial<ProfileSettings> {
  if (!environment.AWS_LAMBDA_FUNCTION_NAME) return {};
  const flag = (name: string) => environment[name]?.toLowerCase() === "true";
  return {
    useFipsEndpoint: flag("AWS_USE_FIPS_ENDPOINT"),
    useDualstackEndpoint: flag("AWS_USE_DUALSTACK_ENDPOINT"),
    retryMode: environment.AWS_RETRY_MODE || "standard",
    defaultsMode: (environment.AWS_DEFAULTS_MODE || "legacy") as ProfileSettings["defaultsMode"],
    authSchemePreference: (environment.AWS_AUTH_SCHEME_PREFERENCE ?? "")
      .split(",")
      .map((scheme) => scheme.trim())
      .filter(Boolean),
    // An empty id adds nothing to the user agent, as no id does.
    userAgentAppId: environment.AWS_SDK_UA_APP_ID ?? "",
  };
}

/**
 * An HTTP handler with keep-alive connections (a TLS handshake per request would cost more than the request)
 * and the per-attempt timeouts; the SDK retries an attempt that timed out.
 */
export function requestHandler(requestTimeoutMs: number): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
  });
}

/**
 * The SDK's default credential chain, loaded on first use only (it is large, and Lambda never needs it);
 * failing, it says how to provide credentials.
 */
export function defaultCredentialChain(): AwsCredentialIdentityProvider {
  let chain: AwsCredentialIdentityProvider | undefined;
  return async (options) => {
    try {
      if (!chain) {
        const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
        chain = defaultProvider();
      }
      return await chain(options);
    } catch (error) {
      throw new MissingAwsCredentialsError({ cause: error });
    }
  };
}

/** Credentials given as variables (the role's, on Lambda), else the SDK's default chain. */
export function credentialsFrom(
  environment: Environment,
): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    const sessionToken = environment.AWS_SESSION_TOKEN;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  return defaultCredentialChain();
}

/** AWS_REGION (Lambda always sets it) or AWS_DEFAULT_REGION, else the SDK's lookup (the profile's region). */
export function regionFrom(environment: Environment): string | Provider<string> {
  const region = environment.AWS_REGION || environment.AWS_DEFAULT_REGION;
  if (region) return region;
  const lookup = loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS);
  return async () => {
    try {
      return await lookup();
    } catch {
      // A silent default would only surface as signature errors later.
      throw new MissingConfigurationError(["AWS_REGION"]);
    }
  };
}

/**
 * The configuration of one service's client: region, credentials, the endpoint override
 * (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, as the SDK names them) and the time budget.
 */
export function awsClientConfigFrom(
  environment: Environment,
  service: AwsService,
  overrides: Partial<AwsServiceSettings> = {},
): AwsClientConfig {
  const settings = { ...awsServiceSettings[service], ...overrides };
  const endpoint = environment[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? environment.AWS_ENDPOINT_URL;
  return {
    ...profileSettingsFrom(environment),
    region: regionFrom(environment),
    credentials: credentialsFrom(environment),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: settings.maxAttempts,
    requestHandler: requestHandler(settings.requestTimeoutMs),
  };
}
