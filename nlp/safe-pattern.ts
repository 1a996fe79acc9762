/**
 * Content patterns run against every message, so one that can backtrack catastrophically is a denial of
 * service: `^(?:[a-z]+|[a-z0-9]+)*!$` took 414 s on 24 characters. `safe-regex2` (Fastify's star-height check:
 * a repetition inside a repetition is refused) decides; a pattern it cannot parse is refused too.
 */
import safeRegex from "safe-regex2";

/** Why `source` must not be used as a content pattern, or undefined when it is safe. */
export function patternProblem(source: string): string | undefined {
  try {
    new RegExp(source, "iu");
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  if (!safeRegex(source))
    return (
      "can backtrack catastrophically (a repetition inside a repetition, e.g. (a+)*, or more than 25 " +
      "repetitions): one message could take minutes; rewrite it without nested quantifiers, or use keywords"
    );
  return undefined;
}

/** Thrown when rules are compiled with a pattern {@link patternProblem} refuses. */
export class UnsafePatternError extends Error {
  constructor(intent: string, source: string, problem: string) {
    super(
      `Pattern /${source}/ of intent "${intent}" ${problem}. Fix it in content/intents and run \`npm run content:check\`.`,
    );
    this.name = "UnsafePatternError";
  }
}

/** Returns `source` when it is safe; throws {@link UnsafePatternError} otherwise. */
export function checkedPattern(intent: string, source: string): string {
  const problem = patternProblem(source);
  if (problem) throw new UnsafePatternError(intent, source, problem);
  return source;
}
