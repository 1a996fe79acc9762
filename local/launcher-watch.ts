/**
 * `npm start` runs node under npm (npm → sh → node). A signal sent to npm's pid ends npm and leaves node
 * orphaned, still serving on the port. So the node process watches the processes that launched it: when its
 * parent changes (it was orphaned) or npm's process is gone, it stops as if it had received SIGTERM.
 */
import { existsSync, readFileSync } from "node:fs";

/** The parent's pid of `pid` from /proc (Linux), if readable. */
function parentOf(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  try {
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
    const text = readFileSync(stat, "utf8");
    const ppid = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isSafeInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The launchers to watch: the parent, and under npm (`npm_lifecycle_event` is set) every ancestor up to the
 * npm process itself.
 */
export function launchers(environment: Record<string, string | undefined> = process.env): number[] {
  const pids = [process.ppid];
  if (!environment.npm_lifecycle_event) return pids;
  let pid: number | undefined = process.ppid;
  for (let depth = 0; pid && depth < 4; depth += 1) {
    if (/\bnpm(-cli)?(\.js)?\b/.test(commandOf(pid))) return [...new Set([...pids, pid])];
    pid = parentOf(pid);
    if (pid && pid > 1) pids.push(pid);
  }
  return [process.ppid];
}

/** Calls `onGone` once when this process is orphaned or a launcher ends; returns a function that stops watching. */
export function watchLaunchers(onGone: () => void, intervalMs = 250): () => void {
  const parent = process.ppid;
  const watched = launchers();
  const timer = setInterval(() => {
    if (process.ppid === parent && watched.every(alive)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
