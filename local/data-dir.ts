/**
 * The local stack's data folder: one stack at a time (a lock file with the owner's pid, taken over when that
 * process is gone), and the emulator's users, chats and update ids kept beside the bot's DynamoDB data, so the
 * two are never out of step: a folder with bot data but no emulator state (from an older version) has its bot
 * data moved aside, said out loud, instead of being paired with an emulator that forgot everyone.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { EmulatorSnapshot, TelegramEmulator } from "./telegram/emulator";

/** Another running process holds the data folder; names it and says what to do. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly command: string,
  ) {
    super(
      `The data folder ${dataDir} is in use by process ${pid} (${command}). Stop that process first ` +
        `(kill ${pid}), or give this one its own folder: LAMBDAGRAM_DATA_DIR=/some/other/folder npm start`,
    );
    this.name = "DataDirInUseError";
  }
}

interface LockRecord {
  pid: number;
  command: string;
  startedAt: string;
}

/** Whether `pid` is a running process that could be the one in the lock (not a reused pid). */
function holderAlive(record: LockRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Where /proc exists, a pid reused by an unrelated program does not count as the holder.
  const command = commandLine(record.pid);
  return command === undefined || command === record.command;
}

/** A process's command line from /proc (Linux), or undefined where there is none. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

/**
 * Takes the folder's lock for this process; throws {@link DataDirInUseError} while another live process holds
 * it (a lock left by a process that is gone is taken over). Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, "lock.json");
  const mine: LockRecord = {
    pid: process.pid,
    command: commandLine(process.pid) ?? process.argv.join(" "),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, "wx");
      writeFileSync(fd, JSON.stringify(mine));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: LockRecord | undefined;
    try {
      holder = JSON.parse(readFileSync(path, "utf8")) as LockRecord;
    } catch {
      holder = undefined; // half-written by a process that died at that moment: stale
    }
    if (holder && holderAlive(holder)) throw new DataDirInUseError(dataDir, holder.pid, holder.command);
    rmSync(path, { force: true });
  }
  throw new Error(`Could not take the lock ${path}; remove it if no stack is running.`);
}

const snapshotFile = "emulator.json";

/**
 * Keeps the emulator's state in the data folder: restores it now, saves it within a second after a change
 * (one write a second at most, however busy) and on {@link EmulatorPersistence.close}. `dynamoDir` is the DynamoDB data it must stay paired with.
 */
export interface EmulatorPersistence {
  /** Writes the state now; `clean` marks an orderly stop (ids then continue exactly). */
  save(clean: boolean): void;
  /** Stops saving on changes and writes a clean final state. */
  close(): void;
}

/**
 * Before DynamoDB opens: the bot's data and the emulator's state must come as a pair. Bot data without
 * emulator state (from an older version) is moved aside: the users it knows would not exist in the emulator,
 * and update ids would start again under ids it saw. Emulator state without bot data (the DynamoDB folder was
 * deleted) is moved aside too: the chats would show a history the bot has forgotten. Returns a line saying
 * what was moved where, if anything was.
 */
export function pairBotDataWithEmulator(dataDir: string, dynamoDir: string): string | undefined {
  const snapshot = join(dataDir, snapshotFile);
  const hasSnapshot = existsSync(snapshot);
  const hasBotData = existsSync(dynamoDir) && readdirSync(dynamoDir).length > 0;
  if (hasSnapshot === hasBotData) return undefined;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  if (hasBotData) {
    const aside = `${dynamoDir}.without-emulator-${stamp}`;
    renameSync(dynamoDir, aside);
    return (
      `The bot data in ${dynamoDir} had no emulator users beside it (an older version kept none), so it was ` +
      `moved to ${aside} and this start begins empty; delete that folder when you no longer need it.`
    );
  }
  const aside = `${snapshot}.without-bot-data-${stamp}`;
  renameSync(snapshot, aside);
  return (
    `The emulator's users in ${snapshot} had no bot data beside them (${dynamoDir} is gone), so they were ` +
    `moved to ${aside} and this start begins empty; delete that file when you no longer need it.`
  );
}

/** Restores the emulator from the data folder (if saved before) and keeps saving it. */
export function persistEmulator(
  emulator: TelegramEmulator,
  dataDir: string,
  delayMs = 1000,
): EmulatorPersistence {
  const path = join(dataDir, snapshotFile);
  if (existsSync(path)) emulator.restore(JSON.parse(readFileSync(path, "utf8")) as EmulatorSnapshot);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const save = (clean: boolean) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, JSON.stringify(emulator.snapshot({ clean })));
    renameSync(temporary, path); // atomic: a crash leaves the old state or the new one, never half a file
  };
  save(false); // at once, so the folder holds the pair from the first start on
  emulator.onPersistentChange(() => {
    if (closed || timer) return;
    timer = setTimeout(() => save(false), delayMs);
    timer.unref();
  });
  return {
    save,
    close() {
      if (closed) return;
      closed = true;
      emulator.onPersistentChange(undefined);
      save(true);
    },
  };
}
