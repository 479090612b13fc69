/**
 * Injected failures. A fault file `faults/<name>.json` makes the next matching command on a
 * matching host hang, print a message and exit with a chosen status, for `remaining` calls.
 * `pct` and `pvesh` check faults before doing anything. Shell wrappers on the other lab hosts
 * (haproxy, socat, curl, ...) call `fault-check.mjs` first.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod/mini";
import { clusterPaths } from "./env.ts";
import { readFileIfExists, sleep, writeFileAtomic } from "./files.ts";
import { withClusterLock } from "./locking.ts";

const faultSchema = z.strictObject({
  /** Host the fault applies to (a node such as "pve1", a lab host name) or "*" for all. */
  host: z.string().check(z.minLength(1)),
  /** Prefix of `[program, ...args].join(" ")`, e.g. "pct clone" or "pct set 105 --net0". */
  command: z.string().check(z.minLength(1)),
  exitCode: z.int().check(z.minimum(0), z.maximum(255)),
  stderr: z._default(z.string(), ""),
  hangSeconds: z._default(z.number().check(z.minimum(0)), 0),
  /** Number of calls the fault still fails; the file is deleted when it reaches 0. */
  remaining: z._default(z.int().check(z.minimum(1)), 1),
  /**
   * Only fire when the command's stdin contains this text. Only `fault-check` reads stdin:
   * `pct` and `pvesh` never match a fault that sets it.
   */
  stdinContains: z.optional(z.string()),
});

/** A fault as written by tests; omitted fields take the defaults of `faultSchema`. */
export type Fault = z.input<typeof faultSchema>;

/** A fault as stored, with every default filled in. */
export type StoredFault = z.output<typeof faultSchema>;

let injected = 0;

/** Writes a fault file into `<clusterDir>/faults/` and returns its file name. */
export async function injectFault(clusterDir: string, fault: Fault): Promise<string> {
  const stored = faultSchema.parse(fault);
  injected++;
  const stamp = `${Date.now()}`.padStart(15, "0");
  const name = `fault-${stamp}-${process.pid}-${injected}.json`;
  writeFileAtomic(join(clusterPaths.faultsDir(clusterDir), name), `${JSON.stringify(stored)}\n`);
  return name;
}

/** Deletes every fault file of the cluster. */
export async function clearFaults(clusterDir: string): Promise<void> {
  for (const file of faultFiles(clusterDir)) {
    rmSync(join(clusterPaths.faultsDir(clusterDir), file), { force: true });
  }
}

function faultFiles(clusterDir: string): string[] {
  try {
    return readdirSync(clusterPaths.faultsDir(clusterDir))
      .filter((file) => file.endsWith(".json"))
      .sort();
  } catch {
    return [];
  }
}

/** Returns the faults that match `host` and `argv`, ignoring stdin, in file-name order. */
export function matchingFaults(clusterDir: string, host: string, argv: readonly string[]) {
  const line = argv.join(" ");
  const matches: Array<{ file: string; fault: StoredFault }> = [];

  for (const file of faultFiles(clusterDir)) {
    const raw = readFileIfExists(join(clusterPaths.faultsDir(clusterDir), file));
    const parsed = raw === undefined ? undefined : faultSchema.safeParse(safeJson(raw));
    if (!parsed?.success) {
      if (raw !== undefined) {
        process.stderr.write(`psa-sim: ignoring invalid fault file faults/${file}\n`);
      }
      continue;
    }
    const fault = parsed.data;
    if ((fault.host === "*" || fault.host === host) && line.startsWith(fault.command)) {
      matches.push({ file, fault });
    }
  }
  return matches;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Consumes the first matching fault atomically (decrementing `remaining`, deleting the file at 0)
 * and returns it, or undefined when none fires. `stdin` is the command's input when it was read.
 */
export async function takeFault(
  clusterDir: string,
  host: string,
  argv: readonly string[],
  stdin: string | undefined,
): Promise<StoredFault | undefined> {
  if (matchingFaults(clusterDir, host, argv).length === 0) {
    return undefined;
  }

  return withClusterLock(clusterDir, () => {
    for (const { file, fault } of matchingFaults(clusterDir, host, argv)) {
      const stdinMatches =
        fault.stdinContains === undefined || (stdin?.includes(fault.stdinContains) ?? false);
      if (!stdinMatches) {
        continue;
      }
      const path = join(clusterPaths.faultsDir(clusterDir), file);
      if (fault.remaining <= 1) {
        rmSync(path, { force: true });
      } else {
        writeFileAtomic(path, `${JSON.stringify({ ...fault, remaining: fault.remaining - 1 })}\n`);
      }
      return fault;
    }
    return undefined;
  });
}

/** Hangs for `hangSeconds`, writes the fault's stderr text verbatim and returns its exit code. */
export async function applyFault(fault: StoredFault): Promise<number> {
  if (fault.hangSeconds > 0) {
    await sleep(fault.hangSeconds * 1000);
  }
  process.stderr.write(fault.stderr);
  return fault.exitCode;
}
