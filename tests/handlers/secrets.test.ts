/**
 * Secrets at cold start: plain variables locally, SSM parameters on AWS, read with one GetParameters request
 * from a loopback SSM that verifies the SigV4 signature. Region, credentials and endpoint come from the
 * environment record given to `readSecrets` (as Lambda sets them), never from `process.env`.
 */
import {
  MissingAwsCredentialsError,
  MissingConfigurationError,
  readSecrets,
} from "../../bot/runtime/environment";
import {
  type AwsJsonEndpoint,
  type RecordedRequest,
  startAwsJsonEndpoint,
  testCredentials,
  testRegion,
} from "../helpers/aws-json-endpoint";

/** SSM parameters as `pulumi up` writes them. */
const parameters: Record<string, string> = {
  "/lambdagram/prod/bot-token": "123:from-ssm",
  "/lambdagram/prod/webhook-secret": "webhook-from-ssm",
};

/** SSM's answer to GetParameters: the parameters found, and the names that were not. */
function parameterStore(request: RecordedRequest) {
  const names = (request.body as { Names: string[] }).Names;
  return {
    body: {
      Parameters: names
        .filter((name) => name in parameters)
        .map((name) => ({ Name: name, Type: "SecureString", Value: parameters[name], Version: 1 })),
      InvalidParameters: names.filter((name) => !(name in parameters)),
    },
  };
}

describe("reading the bot's secrets at cold start", () => {
  let ssm: AwsJsonEndpoint;
  /** What Lambda puts in the environment, plus the SDK's endpoint override pointing at the stand-in SSM. */
  let aws: Record<string, string>;

  beforeAll(async () => {
    ssm = await startAwsJsonEndpoint({ service: "ssm", responder: parameterStore });
    aws = {
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_REGION: testRegion,
      AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    };
  });
  afterAll(async () => {
    await ssm.stop();
  });
  beforeEach(() => {
    ssm.requests.length = 0;
  });

  const sources = [
    { plain: "BOT_TOKEN", parameter: "BOT_TOKEN_PARAMETER" },
    { plain: "WEBHOOK_SECRET", parameter: "WEBHOOK_SECRET_PARAMETER" },
  ];

  it("fetches every SSM parameter in one signed, decrypted GetParameters request, in the order asked", async () => {
    const values = await readSecrets(
      {
        ...aws,
        BOT_TOKEN_PARAMETER: "/lambdagram/prod/bot-token",
        WEBHOOK_SECRET_PARAMETER: "/lambdagram/prod/webhook-secret",
      },
      sources,
    );

    expect(values).toEqual(["123:from-ssm", "webhook-from-ssm"]);
    expect(ssm.requests).toHaveLength(1);
    expect(ssm.requests[0]).toMatchObject({
      operation: "GetParameters",
      targetPrefix: "AmazonSSM",
      contentType: "application/x-amz-json-1.1",
      signatureValid: true,
      body: {
        Names: ["/lambdagram/prod/bot-token", "/lambdagram/prod/webhook-secret"],
        WithDecryption: true,
      },
    });
  });

  it("signs with the role's session token when Lambda gives one", async () => {
    const values = await readSecrets(
      {
        ...aws,
        AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjE+token",
        BOT_TOKEN: "local:token",
        WEBHOOK_SECRET_PARAMETER: "/lambdagram/prod/webhook-secret",
      },
      sources,
    );

    expect(values).toEqual(["local:token", "webhook-from-ssm"]);
    expect(ssm.requests).toHaveLength(1);
    expect(ssm.requests[0]?.signatureValid).toBe(true);
    expect(ssm.requests[0]?.headers["x-amz-security-token"]).toBe("IQoJb3JpZ2luX2VjE+token");
  });

  it("uses plain variables as they are (the local stack) and asks SSM only for the rest", async () => {
    expect(
      await readSecrets({ ...aws, BOT_TOKEN: "local:token", WEBHOOK_SECRET: "local-secret" }, sources),
    ).toEqual(["local:token", "local-secret"]);
    expect(ssm.requests).toEqual([]);

    expect(
      await readSecrets(
        { ...aws, BOT_TOKEN: "local:token", WEBHOOK_SECRET_PARAMETER: "/lambdagram/prod/webhook-secret" },
        sources,
      ),
    ).toEqual(["local:token", "webhook-from-ssm"]);
    expect(ssm.requests.map((request) => (request.body as { Names: string[] }).Names)).toEqual([
      ["/lambdagram/prod/webhook-secret"],
    ]);
  });

  it("names the SSM parameter that does not exist", async () => {
    await expect(
      readSecrets(
        {
          ...aws,
          BOT_TOKEN_PARAMETER: "/lambdagram/prod/bot-token",
          WEBHOOK_SECRET_PARAMETER: "/lambdagram/typo",
        },
        sources,
      ),
    ).rejects.toThrow(/WEBHOOK_SECRET_PARAMETER \(SSM parameter \/lambdagram\/typo is missing or empty\)/);
  });

  it("names both variables when neither the value nor its parameter is configured", async () => {
    await expect(readSecrets(aws, sources)).rejects.toThrow(MissingConfigurationError);
    await expect(readSecrets(aws, sources)).rejects.toThrow(/BOT_TOKEN or BOT_TOKEN_PARAMETER/);
  });

  it.each(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])(
    "refuses to read a parameter without %s, before any request",
    async (missing) => {
      const { [missing]: _missing, ...environment } = aws;

      await expect(
        readSecrets({ ...environment, BOT_TOKEN: "local:token", WEBHOOK_SECRET_PARAMETER: "/p" }, sources),
      ).rejects.toThrow(MissingAwsCredentialsError);
      expect(ssm.requests).toEqual([]);
    },
  );

  it("names AWS_REGION when no region is configured for a parameter that must be read", async () => {
    const { AWS_REGION: _omitted, ...withoutRegion } = aws;
    await expect(
      readSecrets({ ...withoutRegion, BOT_TOKEN: "t", WEBHOOK_SECRET_PARAMETER: "/p" }, sources),
    ).rejects.toThrow(MissingConfigurationError);
    await expect(
      readSecrets({ ...withoutRegion, BOT_TOKEN: "t", WEBHOOK_SECRET_PARAMETER: "/p" }, sources),
    ).rejects.toThrow(/AWS_REGION/);
    expect(ssm.requests).toEqual([]);
  });

  it("needs no AWS credentials when every value is plain", async () => {
    expect(await readSecrets({ BOT_TOKEN: "local:token", WEBHOOK_SECRET: "local-secret" }, sources)).toEqual([
      "local:token",
      "local-secret",
    ]);
  });
});
