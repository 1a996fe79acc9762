/** A breakable copy of the default content pack, and what `content:check` says about a pack. */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentError, type ContentProblem, loadContent } from "../../content/load";

/** The repository root. */
export const repoRoot = join(__dirname, "..", "..");

/** A copy of the default pack (without its .ts tools) in a temporary folder, for a test to break. */
export function copyOfDefaultPack(prefix = "content-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(repoRoot, "content"), dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  return dir;
}

/** The problems `loadContent` reports for a pack (none when it loads). */
export function contentProblems(dir: string): ContentProblem[] {
  try {
    loadContent(dir);
  } catch (error) {
    if (error instanceof ContentError) return error.problems;
    throw error;
  }
  return [];
}
