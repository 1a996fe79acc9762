import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { PortInUseError, startLocalStack } from "../../local/stack";

describe("the local stack's lifecycle", () => {
  it("keeps its data across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "lambdagram-data-"));
    try {
      const first = await startLocalStack({
        port: 0,
        dataDir,
        runSchedule: false,
        logLevel: "silent",
        defaultMode: "rules",
      });
      const user = first.emulator?.createUser({ first_name: "Persisted", language_code: "vi" });
      first.emulator?.sendText(user?.id ?? 0, "/mode nlp");
      await first.emulator?.idle({ timeoutMs: 10_000 });
      await first.stop();

      const second = await startLocalStack({ port: 0, dataDir, runSchedule: false, logLevel: "silent" });
      try {
        const storage = createDynamoStorage({
          client: second.dynamo.documentClient,
          tableName: second.dynamo.tableName,
        });
        expect((await storage.chats.load(user?.id ?? 0))?.state.mode).toBe("nlp");
        expect((await storage.users.get(user?.id ?? 0))?.language).toBe("vi");
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("names the port and the variable to change when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = startLocalStack({ port, dataDir: null, runSchedule: false, logLevel: "silent" });
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(
        startLocalStack({ port, dataDir: null, runSchedule: false, logLevel: "silent" }),
      ).rejects.toThrow(new RegExp(`Port ${port} is already in use.*PORT=`));
    } finally {
      blocker.close();
    }
  });
});
