import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MissingConfigurationError, readSecrets } from "../../bot/handlers/runtime";

/**
 * A stand-in for the SSM endpoint speaking its JSON protocol (`X-Amz-Target: AmazonSSM.GetParameters`), so
 * the real SDK client signs and sends real requests. It stores parameters as `pulumi up` writes them.
 */
function startParameterStore(parameters: Record<string, string>) {
  const requests: { target: string | undefined; body: { Names: string[]; WithDecryption?: boolean } }[] = [];
  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => {
      raw += chunk;
    });
    request.on("end", () => {
      const headers: IncomingHttpHeaders = request.headers;
      const body = JSON.parse(raw) as { Names: string[]; WithDecryption?: boolean };
      requests.push({ target: headers["x-amz-target"] as string | undefined, body });
      const names = body.Names;
      response.setHeader("content-type", "application/x-amz-json-1.1");
      response.end(
        JSON.stringify({
          Parameters: names
            .filter((name) => name in parameters)
            .map((name) => ({ Name: name, Type: "SecureString", Value: parameters[name], Version: 1 })),
          InvalidParameters: names.filter((name) => !(name in parameters)),
        }),
      );
    });
  });
  return {
    requests,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("reading the bot's secrets at cold start", () => {
  const store = startParameterStore({
    "/lambdagram/prod/bot-token": "123:from-ssm",
    "/lambdagram/prod/webhook-secret": "webhook-from-ssm",
  });
  const saved = { ...process.env };
  beforeAll(async () => {
    // The SDK's own service-specific endpoint variable: the client is built exactly as on AWS otherwise.
    process.env.AWS_ENDPOINT_URL_SSM = await store.start();
    process.env.AWS_REGION = "eu-west-1";
    process.env.AWS_ACCESS_KEY_ID = "test";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
  });
  afterAll(async () => {
    process.env = saved;
    await store.stop();
  });
  beforeEach(() => {
    store.requests.length = 0;
  });

  const sources = [
    { plain: "BOT_TOKEN", parameter: "BOT_TOKEN_PARAMETER" },
    { plain: "WEBHOOK_SECRET", parameter: "WEBHOOK_SECRET_PARAMETER" },
  ];

  it("fetches every SSM parameter in one decrypted GetParameters request, in the order asked", async () => {
    const values = await readSecrets(
      {
        BOT_TOKEN_PARAMETER: "/lambdagram/prod/bot-token",
        WEBHOOK_SECRET_PARAMETER: "/lambdagram/prod/webhook-secret",
      },
      sources,
    );

    expect(values).toEqual(["123:from-ssm", "webhook-from-ssm"]);
    expect(store.requests).toEqual([
      {
        target: "AmazonSSM.GetParameters",
        body: {
          Names: ["/lambdagram/prod/bot-token", "/lambdagram/prod/webhook-secret"],
          WithDecryption: true,
        },
      },
    ]);
  });

  it("uses plain variables as they are (the local stack) and asks SSM only for the rest", async () => {
    expect(await readSecrets({ BOT_TOKEN: "local:token", WEBHOOK_SECRET: "local-secret" }, sources)).toEqual([
      "local:token",
      "local-secret",
    ]);
    expect(store.requests).toEqual([]);

    expect(
      await readSecrets(
        { BOT_TOKEN: "local:token", WEBHOOK_SECRET_PARAMETER: "/lambdagram/prod/webhook-secret" },
        sources,
      ),
    ).toEqual(["local:token", "webhook-from-ssm"]);
    expect(store.requests.map((request) => request.body.Names)).toEqual([
      ["/lambdagram/prod/webhook-secret"],
    ]);
  });

  it("names the SSM parameter that does not exist", async () => {
    await expect(
      readSecrets(
        { BOT_TOKEN_PARAMETER: "/lambdagram/prod/bot-token", WEBHOOK_SECRET_PARAMETER: "/lambdagram/typo" },
        sources,
      ),
    ).rejects.toThrow(/WEBHOOK_SECRET_PARAMETER \(SSM parameter \/lambdagram\/typo is missing or empty\)/);
  });

  it("names both variables when neither the value nor its parameter is configured", async () => {
    await expect(readSecrets({}, sources)).rejects.toThrow(MissingConfigurationError);
    await expect(readSecrets({}, sources)).rejects.toThrow(/BOT_TOKEN or BOT_TOKEN_PARAMETER/);
  });
});
