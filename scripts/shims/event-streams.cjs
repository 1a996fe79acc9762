// Bundled in place of `@smithy/core/event-streams` (scripts/build.ts). The SDK's HTTP protocol imports it on
// demand for operations that stream events (Kinesis, Bedrock, Transcribe...); DynamoDB, SSM and SQS have
// none, so the bundles leave out its codecs (~15 KB the cold start would parse).
function unavailable() {
  throw new Error(
    "Event streams are left out of the Lambda bundles (scripts/shims/event-streams.cjs): DynamoDB, SSM and " +
      "SQS do not use them. Remove the alias in scripts/build.ts before calling a streaming operation.",
  );
}

module.exports = new Proxy({}, { get: (_target, name) => (name === "__esModule" ? false : unavailable) });
