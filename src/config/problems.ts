import type { z } from "zod";
import { lineOfPath } from "./yaml-lines.ts";

/** One thing wrong in a config file, printed as `FILE:LINE: FIELD: message`. */
export interface ConfigProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** Formats a problem the way `psa-bot check-config` prints it. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}: ${problem.field}: ${problem.message}`;
}

/** Builds a problem located at a key path of a YAML text. */
export function problemAt(
  file: string,
  text: string,
  path: ReadonlyArray<PropertyKey>,
  message: string,
): ConfigProblem {
  const field = path.length === 0 ? "(file)" : path.map(String).join(".");
  return { file, line: lineOfPath(text, path), field, message };
}

/** Turns zod issues into located problems. */
export function problemsFromZod(file: string, text: string, error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    // Unknown keys are reported on their parent: point at the first unknown key instead.
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const path = keys.length > 0 ? [...issue.path, keys[0] as string] : issue.path;
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown field ${keys.map((key) => `"${key}"`).join(", ")}; check the spelling`
        : issue.message;
    return problemAt(file, text, path, message);
  });
}
