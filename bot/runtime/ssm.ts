/**
 * SSM SecureString parameters in one GetParameters request. A module of its own, imported dynamically where
 * secrets are read: a handler whose secrets are plain variables (the local stack) never loads the SSM client,
 * the static imports below let esbuild keep only the one command used, and `npm run build` makes it a file of
 * its own next to the bundle (scripts/build.ts `lazyModules`), so no cold start parses it unless it reads SSM.
 * It imports nothing of ours: the bundled copy must not carry second copies of our error classes.
 */
import { GetParametersCommand, SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";

/** Reads `names`, decrypted, with one request; returns the values found by name (missing ones are absent). */
export async function getParameters(
  config: SSMClientConfig,
  names: readonly string[],
): Promise<Map<string, string>> {
  const ssm = new SSMClient(config);
  try {
    const result = await ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: true }));
    const found = new Map<string, string>();
    for (const parameter of result.Parameters ?? [])
      if (parameter.Name && parameter.Value !== undefined) found.set(parameter.Name, parameter.Value);
    return found;
  } finally {
    ssm.destroy(); // one request per cold start: no idle connection to keep
  }
}
