/**
 * The SDK's CloudWatch client and the one command /stats sends (GetMetricData). A module of its own, imported
 * dynamically by bot/stats/cloudwatch.ts on the first read, so no cold start parses it unless an admin asks for
 * stats, and `npm run build` makes it a file of its own next to the bundle (scripts/build.ts `lazyModules`).
 * It imports nothing of ours, for the same reason as bot/runtime/ssm.ts.
 */
import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from "@aws-sdk/client-cloudwatch";

/** Sends one GetMetricData request. */
export type GetMetricData = (input: GetMetricDataCommandInput) => Promise<GetMetricDataCommandOutput>;

/** A CloudWatch client, kept for the container's life (keep-alive), and a `destroy` for tests. */
export function createCloudWatchClient(config: CloudWatchClientConfig): {
  getMetricData: GetMetricData;
  destroy(): void;
} {
  const client = new CloudWatchClient(config);
  return {
    getMetricData: (input) => client.send(new GetMetricDataCommand(input)),
    destroy: () => client.destroy(),
  };
}
