import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { PortInUseError, startLocalStack } from "../../local/stack";
import { localSupport } from "../../local/support-group";

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

describe("the local stack's data folder", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), "lambdagram-data-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const options = { port: 0, runSchedule: false, logLevel: "silent", defaultMode: "rules" } as const;

  it("keeps the emulator's users, history and update ids with the bot's data, so new messages are answered", async () => {
    const dataDir = fresh();
    const first = await startLocalStack({ ...options, dataDir });
    const user = first.emulator?.createUser({ first_name: "Returning" });
    const userId = user?.id ?? 0;
    const before = first.emulator?.sendText(userId, "/start");
    await first.emulator?.idle({ timeoutMs: 10_000 });
    const historyBefore = first.emulator?.chatHistory(userId).map((m) => [m.sender, m.text]);
    await first.stop();

    const second = await startLocalStack({ ...options, dataDir });
    try {
      const emulator = second.emulator;
      if (!emulator) throw new Error("the stack should run the built-in emulator");
      expect(emulator.users()).toEqual([localSupport.staff, user]);
      expect(emulator.chatHistory(userId).map((m) => [m.sender, m.text])).toEqual(historyBefore);
      const after = emulator.sendText(userId, "/help");
      await emulator.idle({ timeoutMs: 10_000 });

      expect(after.update_id).toBeGreaterThan(before?.update_id ?? Number.POSITIVE_INFINITY);
      expect(emulator.chatHistory(userId).at(-1)?.sender).toBe("bot");
      expect(emulator.chatHistory(userId).length).toBeGreaterThan(historyBefore?.length ?? 0);
    } finally {
      await second.stop();
    }
  });

  it("refuses a second stack on a folder in use and takes over a lock whose process is gone", async () => {
    const dataDir = fresh();
    const first = await startLocalStack({ ...options, dataDir });
    try {
      await expect(startLocalStack({ ...options, dataDir })).rejects.toThrow(
        new RegExp(`in use by process ${process.pid}\\b.*LAMBDAGRAM_DATA_DIR=`),
      );
    } finally {
      await first.stop();
    }
    // A process that ended without removing its lock (killed): a pid that no longer runs.
    const gone = spawnSync("node", ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(
      join(dataDir, "lock.json"),
      JSON.stringify({
        pid: Number(gone.stdout),
        command: "node gone.js",
        startedAt: new Date().toISOString(),
      }),
    );
    const second = await startLocalStack({ ...options, dataDir });
    await second.stop();
    expect(existsSync(join(dataDir, "lock.json"))).toBe(false);
  });

  it("moves bot data without emulator users aside instead of pairing it with an empty emulator", async () => {
    const dataDir = fresh();
    const first = await startLocalStack({ ...options, dataDir });
    first.emulator?.createUser({ id: 5150 });
    first.emulator?.sendText(5150, "/start");
    await first.emulator?.idle({ timeoutMs: 10_000 });
    await first.stop();
    rmSync(join(dataDir, "emulator.json")); // as a folder from a version that kept no emulator state

    const said: string[] = [];
    const second = await startLocalStack({ ...options, dataDir, say: (line) => said.push(line) });
    try {
      const storage = createDynamoStorage({
        client: second.dynamo.documentClient,
        tableName: second.dynamo.tableName,
      });
      expect(await storage.users.get(5150)).toBeUndefined();
      expect(second.emulator?.users()).toEqual([localSupport.staff]);
      expect(said.join("\n")).toMatch(/had no emulator users beside it.*moved to/);
      expect(readdirSync(dataDir).some((name) => name.startsWith("dynamodb.without-emulator-"))).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it("moves emulator users without bot data aside, so no chat shows a history the bot forgot", async () => {
    const dataDir = fresh();
    const first = await startLocalStack({ ...options, dataDir });
    first.emulator?.createUser({ id: 5151 });
    await first.stop();
    rmSync(join(dataDir, "dynamodb"), { recursive: true }); // the bot's data deleted by hand

    const said: string[] = [];
    const second = await startLocalStack({ ...options, dataDir, say: (line) => said.push(line) });
    try {
      expect(second.emulator?.users()).toEqual([localSupport.staff]);
      expect(said.join("\n")).toMatch(/had no bot data beside them.*moved to/);
    } finally {
      await second.stop();
    }
  });
});
