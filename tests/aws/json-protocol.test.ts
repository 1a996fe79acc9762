/**
 * The light AWS JSON-protocol client against a loopback endpoint that verifies SigV4 signatures as AWS does:
 * what it sends (signature, target, content type, body), how it turns error answers into errors named like the
 * SDK's exceptions, and which failures it retries (5xx, throttling, timeouts, dropped connections) and which
 * it does not.
 */
import {
  type AwsClientObserver,
  type AwsClientOptions,
  AwsJsonClient,
  type AwsJsonService,
  AwsRequestTimeoutError,
  AwsResponseParseError,
  AwsServiceError,
  awsServices,
} from "../../bot/aws/json-protocol";
import {
  type AwsJsonEndpoint,
  startAwsJsonEndpoint,
  testCredentials,
  testRegion,
} from "../helpers/aws-json-endpoint";

let dynamodb: AwsJsonEndpoint;
let ssm: AwsJsonEndpoint;
const clients: AwsJsonClient[] = [];

beforeAll(async () => {
  dynamodb = await startAwsJsonEndpoint({ service: "dynamodb" });
  ssm = await startAwsJsonEndpoint({ service: "ssm" });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  dynamodb.reset();
  ssm.reset();
});

afterAll(async () => {
  await dynamodb.stop();
  await ssm.stop();
});

function clientOf(
  service: AwsJsonService,
  endpoint: AwsJsonEndpoint,
  options: Partial<AwsClientOptions> = {},
): AwsJsonClient {
  const client = new AwsJsonClient(service, {
    region: testRegion,
    credentials: testCredentials,
    endpoint: endpoint.url,
    ...options,
  });
  clients.push(client);
  return client;
}

/** What a call rejected with (fails the test if it resolved). */
async function failureOf(call: Promise<unknown>): Promise<AwsServiceError> {
  try {
    await call;
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error("expected the call to fail");
}

const key = { Key: { pk: { S: "CHAT#42" }, sk: { S: "STATE" } }, TableName: "lambdagram" };

describe("what the client sends", () => {
  it("signs a DynamoDB request that verifies, with the JSON 1.0 target and content type", async () => {
    dynamodb.enqueue({ body: { Item: { pk: { S: "CHAT#42" } } } });
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const output = await client.call("GetItem", key);

    expect(output).toEqual({ Item: { pk: { S: "CHAT#42" } } });
    expect(dynamodb.requests).toHaveLength(1);
    const [request] = dynamodb.requests;
    expect(request).toMatchObject({
      operation: "GetItem",
      targetPrefix: "DynamoDB_20120810",
      contentType: "application/x-amz-json-1.0",
      body: key,
      signatureValid: true,
    });
    expect(request?.headers["x-amz-target"]).toBe("DynamoDB_20120810.GetItem");
    expect(request?.headers.authorization).toContain(
      `Credential=${testCredentials.accessKeyId}/${request?.headers["x-amz-date"]?.toString().slice(0, 8)}/${testRegion}/dynamodb/aws4_request`,
    );
    expect(request?.headers["x-amz-security-token"]).toBeUndefined();
  });

  it("signs an SSM request with the JSON 1.1 content type and sends the session token, signed", async () => {
    ssm.enqueue({ body: { Parameters: [{ Name: "/p", Value: "v" }], InvalidParameters: [] } });
    const client = clientOf(awsServices.ssm, ssm, {
      credentials: { ...testCredentials, sessionToken: "IQoJb3JpZ2luX2VjE/session+token==" },
    });

    const output = await client.call("GetParameters", { Names: ["/p"], WithDecryption: true });

    expect(output).toEqual({ Parameters: [{ Name: "/p", Value: "v" }], InvalidParameters: [] });
    const [request] = ssm.requests;
    expect(request).toMatchObject({
      operation: "GetParameters",
      targetPrefix: "AmazonSSM",
      contentType: "application/x-amz-json-1.1",
      body: { Names: ["/p"], WithDecryption: true },
      signatureValid: true,
    });
    expect(request?.headers["x-amz-security-token"]).toBe("IQoJb3JpZ2luX2VjE/session+token==");
    expect(request?.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
  });

  it("is refused by the endpoint when signed with the wrong secret (the endpoint really verifies)", async () => {
    const client = clientOf(awsServices.dynamodb, dynamodb, {
      credentials: { accessKeyId: testCredentials.accessKeyId, secretAccessKey: "not-the-secret" },
    });

    const error = await failureOf(client.call("GetItem", key));

    // a client error, not retried
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.$fault).toBe("client");
    expect(dynamodb.requests.map((request) => request.signatureValid)).toEqual([false]);
  });

  it("is refused when signed for another region", async () => {
    const client = clientOf(awsServices.dynamodb, dynamodb, { region: "us-east-1" });

    await expect(client.call("GetItem", key)).rejects.toMatchObject({ name: "InvalidSignatureException" });
    expect(dynamodb.requests.map((request) => request.signatureValid)).toEqual([false]);
  });
});

describe("errors the service answers", () => {
  it("names the error by the short code of `__type`, keeps the message and does not retry a 400", async () => {
    dynamodb.respondWith(() => ({
      status: 400,
      body: {
        __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        message: "The conditional request failed",
      },
    }));
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const error = await failureOf(client.call("PutItem", { TableName: "lambdagram", Item: key.Key }));

    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.name).toBe("ConditionalCheckFailedException");
    expect(error.message).toBe("The conditional request failed");
    expect(error.$fault).toBe("client");
    expect(error.$metadata).toEqual({ httpStatusCode: 400, requestId: "test-request-1", attempts: 1 });
    expect(error.details).toMatchObject({ message: "The conditional request failed" });
    expect(dynamodb.requests).toHaveLength(1);
  });

  it("names the error by the `x-amzn-errortype` header, without its URL", async () => {
    ssm.respondWith(() => ({
      status: 400,
      headers: { "x-amzn-errortype": "ParameterNotFound:http://internal.amazon.com/" },
      body: { message: "Parameter /lambdagram/typo not found." },
    }));
    const client = clientOf(awsServices.ssm, ssm);

    const error = await failureOf(client.call("GetParameter", { Name: "/lambdagram/typo" }));

    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.name).toBe("ParameterNotFound");
    expect(error.message).toBe("Parameter /lambdagram/typo not found.");
    expect(ssm.requests).toHaveLength(1);
  });

  it("keeps a body that is not JSON (a proxy's error page) as the message", async () => {
    dynamodb.respondWith(() => ({ status: 403, body: "<html><body>Forbidden by proxy</body></html>" }));
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const error = await failureOf(client.call("GetItem", key));

    expect(error.name).toBe("UnknownError");
    expect(error.message).toBe("<html><body>Forbidden by proxy</body></html>");
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(dynamodb.requests).toHaveLength(1);
  });
});

describe("answers that are not the service's JSON", () => {
  it("refuses a 200 whose body is not JSON instead of reading it as an empty answer", async () => {
    dynamodb.respondWith(() => ({ status: 200, body: "<html>captive portal</html>" }));
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const error = await failureOf(client.call("GetItem", key));

    expect(error).toBeInstanceOf(AwsResponseParseError);
    expect(error.message).toMatch(/dynamodb GetItem answered HTTP 200 with a body that is not JSON/);
    expect(error.message).toMatch(/AWS_ENDPOINT_URL_/);
  });

  it("takes the error code before a comma in `x-amzn-errortype`, as the SDK does", async () => {
    dynamodb.respondWith(() => ({
      status: 400,
      headers: { "x-amzn-errortype": "ValidationException,sender:http://internal.amazon.com/" },
      body: { message: "bad key" },
    }));
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const error = await failureOf(client.call("GetItem", key));

    expect(error.name).toBe("ValidationException");
  });
});

describe("retries", () => {
  it("retries a 500 and returns the answer of the retry, signing each attempt", async () => {
    dynamodb.enqueue(
      { status: 500, body: { __type: "com.amazon.coral.service#InternalFailure", message: "oops" } },
      { body: { Item: { n: { N: "1" } } } },
    );
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const output = await client.call("GetItem", key);

    expect(output).toEqual({ Item: { n: { N: "1" } } });
    expect(dynamodb.requests).toHaveLength(2);
    expect(
      dynamodb.requests.every((request) => request.signatureValid && request.operation === "GetItem"),
    ).toBe(true);
  });

  it.each(["ThrottlingException", "ProvisionedThroughputExceededException"])(
    "retries a 400 %s and succeeds",
    async (code) => {
      dynamodb.enqueue(
        { status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${code}`, message: "slow down" } },
        { body: {} },
      );
      const client = clientOf(awsServices.dynamodb, dynamodb, { maxAttempts: 2 });

      const output = await client.call("GetItem", key);

      expect(output).toEqual({});
      expect(dynamodb.requests).toHaveLength(2);
    },
  );

  it("makes DynamoDB's 4 attempts by default (as the SDK does), then throws the last error", async () => {
    dynamodb.respondWith(() => ({
      status: 503,
      body: { __type: "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", message: "unavailable" },
    }));
    const client = clientOf(awsServices.dynamodb, dynamodb);

    const error = await failureOf(client.call("GetItem", key));

    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.name).toBe("ServiceUnavailable");
    expect(error.$fault).toBe("server");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 4 });
    expect(dynamodb.requests).toHaveLength(4);
  });

  it("makes 3 attempts by default for SSM", async () => {
    ssm.respondWith(() => ({ status: 500, body: { __type: "InternalServerError", message: "down" } }));
    const client = clientOf(awsServices.ssm, ssm);

    const error = await failureOf(client.call("GetParameters", { Names: ["/p"] }));

    expect(error.$metadata.attempts).toBe(3);
    expect(ssm.requests).toHaveLength(3);
  });

  it("stops at maxAttempts", async () => {
    dynamodb.respondWith(() => ({ status: 500, body: { __type: "InternalServerError", message: "down" } }));
    const client = clientOf(awsServices.dynamodb, dynamodb, { maxAttempts: 2 });

    const error = await failureOf(client.call("GetItem", key));

    expect(error.$metadata.attempts).toBe(2);
    expect(dynamodb.requests).toHaveLength(2);
  });

  it("retries an attempt that gets no answer within requestTimeoutMs", async () => {
    dynamodb.enqueue({ delayMs: 5000 }, { body: { Item: { ok: { BOOL: true } } } });
    const client = clientOf(awsServices.dynamodb, dynamodb, { requestTimeoutMs: 100 });

    const output = await client.call("GetItem", key);

    expect(output).toEqual({ Item: { ok: { BOOL: true } } });
    expect(dynamodb.requests).toHaveLength(2);
  });

  it("throws AwsRequestTimeoutError when every attempt times out", async () => {
    dynamodb.respondWith(() => ({ delayMs: 5000 }));
    const client = clientOf(awsServices.dynamodb, dynamodb, { requestTimeoutMs: 100, maxAttempts: 2 });
    const started = Date.now();

    const error = await failureOf(client.call("GetItem", key));

    // two attempts of ~100 ms, not the 5 s the endpoint would have taken
    expect(error).toBeInstanceOf(AwsRequestTimeoutError);
    expect(error.name).toBe("TimeoutError");
    expect(error.message).toMatch(/dynamodb GetItem got no answer within 100 ms/);
    expect(dynamodb.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  // Node's own errors (here `socket hang up`, ECONNRESET) may come from another realm (jest's vm context):
  // the retry classification must not depend on `instanceof Error`.
  it("retries a dropped connection", async () => {
    dynamodb.enqueue({ destroySocket: true }, { body: { Item: { ok: { BOOL: true } } } });
    const client = clientOf(awsServices.dynamodb, dynamodb);

    await expect(client.call("GetItem", key)).resolves.toEqual({ Item: { ok: { BOOL: true } } });
    expect(dynamodb.requests).toHaveLength(2);
  });
});

describe("observers", () => {
  function recorder() {
    const events: string[] = [];
    const settled: { durationMs: number; error?: unknown }[] = [];
    const observer: AwsClientObserver = {
      onOperation: (event) => events.push(`operation ${event.service} ${event.operation}`),
      onAttempt: (event) => events.push(`attempt ${event.attempt}`),
      onSettled: (event) => {
        events.push(`settled${event.error === undefined ? "" : ` with ${(event.error as Error).name}`}`);
        settled.push(event);
      },
    };
    return { events, settled, observer };
  }

  it("sees one operation, each attempt and the settlement", async () => {
    dynamodb.enqueue({ status: 500, body: { message: "once" } }, { body: {} });
    const client = clientOf(awsServices.dynamodb, dynamodb);
    const { events, settled, observer } = recorder();
    client.observe(observer);

    await client.call("GetItem", key);

    expect(events).toEqual(["operation dynamodb GetItem", "attempt 1", "attempt 2", "settled"]);
    expect(settled[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("sees a failed operation settle with its error, and nothing once unsubscribed", async () => {
    dynamodb.respondWith(() => ({
      status: 400,
      body: { __type: "com.amazonaws.dynamodb.v20120810#ValidationException", message: "bad" },
    }));
    const client = clientOf(awsServices.dynamodb, dynamodb);
    const { events, observer } = recorder();
    const unsubscribe = client.observe(observer);

    await expect(client.call("GetItem", key)).rejects.toThrow("bad");
    unsubscribe();
    await expect(client.call("GetItem", key)).rejects.toThrow("bad");

    expect(events).toEqual(["operation dynamodb GetItem", "attempt 1", "settled with ValidationException"]);
    expect(dynamodb.requests).toHaveLength(2);
  });
});
