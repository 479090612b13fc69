/**
 * Common main routine of the `pct` and `pvesh` entry points: read the environment, apply an
 * injected fault if one matches, run the command, print errors as Proxmox does and log the call.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { clusterPaths, readSimEnv, type SimEnv } from "./env.ts";
import { PVE_ERROR_EXIT, PveError } from "./errors.ts";
import { applyFault, takeFault } from "./faults.ts";

/** A simulated CLI: runs with the arguments after the program name. */
export type CliMain = (env: SimEnv, args: readonly string[]) => Promise<void>;

/** Runs `main` as `program` with `process.argv` and sets `process.exitCode`. */
export async function runEntryPoint(program: string, main: CliMain): Promise<void> {
  const args = process.argv.slice(2);
  let env: SimEnv | undefined;
  let exitCode = 0;

  try {
    env = readSimEnv();
    const fault = await takeFault(env.clusterDir, env.node, [program, ...args], undefined);
    if (fault) {
      exitCode = await applyFault(fault);
    } else {
      await main(env, args);
    }
  } catch (error) {
    exitCode = reportError(error);
  }

  if (env) {
    logInvocation(env, program, args, exitCode);
  }
  process.exitCode = exitCode;
}

function reportError(error: unknown): number {
  if (error instanceof PveError) {
    process.stderr.write(error.message);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`psa-sim: internal error: ${detail}\n`);
  return PVE_ERROR_EXIT;
}

/** Appends one line per call to `tasks/commands.log`, the lab's record of what the bot ran. */
function logInvocation(env: SimEnv, program: string, args: readonly string[], exitCode: number) {
  const path = clusterPaths.taskLog(env.clusterDir);
  const line = `${new Date().toISOString()} ${env.node} exit=${exitCode} ${program} ${args.join(" ")}\n`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, line);
  } catch (error) {
    process.stderr.write(`psa-sim: cannot append to ${path}: ${(error as Error).message}\n`);
  }
}
