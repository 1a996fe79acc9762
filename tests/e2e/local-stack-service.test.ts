/**
 * `npm start` as a service, in real child processes: SIGTERM or SIGINT sent to the npm process (not to node)
 * stops everything within 5 s with the data kept; a second start on the same data folder is refused with the
 * first one's pid instead of a raw "Database is closed"; the emulator's users, history and update ids come
 * back with the bot's data after a restart.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDynamoStorage } from "../../bot/storage/dynamodb";
import { startLocalStack } from "../../local/stack";

const root = join(__dirname, "..", "..");

interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
}

/** `npm start` (the bundle is built once in beforeAll, so the prestart step is skipped) on `dataDir`. */
async function npmStart(dataDir: string): Promise<Started> {
  const npm = spawn("npm", ["start", "--ignore-scripts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      LAMBDAGRAM_DATA_DIR: dataDir,
      DEFAULT_MODE: "rules",
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  npm.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  npm.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${output}`)), 60_000);
    const check = () => {
      const found = /Web chat\s+(http:\/\/\S+?)\/\s/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      } else if (npm.exitCode !== null) reject(new Error(`npm start exited:\n${output}`));
      else setTimeout(check, 50);
    };
    check();
  });
  return { npm, url, output: () => output };
}

/** Pids of processes running the start bundle on `dataDir`. */
function stackProcesses(dataDir: string): number[] {
  const pids: number[] = [];
  for (const line of execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n")) {
    const [pid, ...args] = line.trim().split(/\s+/);
    // node itself, not the `sh -c` npm put between (which goes away with npm).
    if (!/(^|\/)node$/.test(args[0] ?? "") || !args.join(" ").includes(".lambdagram/start.cjs")) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, "utf8").includes(`LAMBDAGRAM_DATA_DIR=${dataDir}`))
        pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function botReplies(url: string, userId: number): Promise<string[]> {
  const answer = (await (await fetch(`${url}/_emulator/chats/${userId}/messages`)).json()) as {
    messages: Array<{ sender: string; text: string }>;
  };
  return answer.messages.filter((m) => m.sender === "bot").map((m) => m.text);
}

describe("npm start as a service", () => {
  const dataDirs: string[] = [];
  const children: ChildProcess[] = [];
  const freshDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "lambdagram-service-"));
    dataDirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    execFileSync("node", ["scripts/bundle-local.mjs"], { cwd: root });
  }, 120_000);
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    for (const dir of dataDirs) {
      for (const pid of stackProcesses(dir)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // SIGKILL cannot be passed on by npm: node notices that its parent is gone (local/launcher-watch.ts).
  for (const signal of ["SIGTERM", "SIGINT", "SIGKILL"] as const) {
    it(`stops everything within 5 s when npm gets ${signal}, with the data kept`, async () => {
      const dataDir = freshDataDir();
      const started = await npmStart(dataDir);
      children.push(started.npm);
      await post(`${started.url}/_emulator/users`, { id: 4242, first_name: "Kept" });
      await post(`${started.url}/_emulator/users/4242/messages`, { text: "/start" });
      let replies: string[] = [];
      for (let i = 0; i < 100 && replies.length === 0; i += 1) {
        replies = await botReplies(started.url, 4242);
        if (replies.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stackProcesses(dataDir)).toHaveLength(1);

      process.kill(started.npm.pid ?? 0, signal);
      const stoppedInMs = await waitUntil(() => stackProcesses(dataDir).length === 0, 5000);

      expect(stoppedInMs).toBeLessThan(5000);
      expect(replies.length).toBeGreaterThan(0);
      expect(existsSync(join(dataDir, "lock.json"))).toBe(false);
      expect(JSON.parse(readFileSync(join(dataDir, "emulator.json"), "utf8"))).toMatchObject({
        clean: true,
        // The support group's staff user (local/support-group.ts) comes first, in every data folder.
        users: [{ id: 9000001 }, { id: 4242, first_name: "Kept" }],
      });
      const again = await startLocalStack({
        port: 0,
        dataDir,
        runSchedule: false,
        logLevel: "silent",
        defaultMode: "rules",
      });
      try {
        const storage = createDynamoStorage({
          client: again.dynamo.documentClient,
          tableName: again.dynamo.tableName,
        });
        expect(again.emulator?.users().map((user) => user.id)).toEqual([9000001, 4242]);
        expect(await storage.users.get(4242)).toBeDefined();
      } finally {
        await again.stop();
      }
    }, 90_000);
  }

  it("refuses a second start on the same data folder, naming the process that has it", async () => {
    const dataDir = freshDataDir();
    const first = await npmStart(dataDir);
    children.push(first.npm);
    const [holder] = stackProcesses(dataDir);
    expect(JSON.parse(readFileSync(join(dataDir, "lock.json"), "utf8"))).toMatchObject({ pid: holder });

    const second = spawn("node", [".lambdagram/start.cjs"], {
      cwd: root,
      env: { ...process.env, PORT: "0", LAMBDAGRAM_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    });
    children.push(second);
    let stderr = "";
    second.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.once("exit", resolve));

    expect(code).toBe(1);
    expect(stderr).toContain(`in use by process ${holder}`);
    expect(stderr).toContain("LAMBDAGRAM_DATA_DIR=");
    expect(stderr).not.toContain("Database is closed");
    expect(await (await fetch(`${first.url}/healthz`)).json()).toMatchObject({ ok: true });
    process.kill(first.npm.pid ?? 0, "SIGTERM");
    await waitUntil(() => stackProcesses(dataDir).length === 0, 5000);
  }, 90_000);
});
