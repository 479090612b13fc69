/**
 * The `pct` command dispatcher, after pve-common `PVE::CLIHandler`. A subcommand may be given as
 * a unique prefix ("lis" for "list"). An unknown one prints the short usage and exits 255.
 */
import { parseCommandArgs, usageLine } from "./cli-args.ts";
import type { SimEnv } from "./env.ts";
import { PveError } from "./errors.ts";
import { cloneCommand } from "./pct-clone.ts";
import type { PctCommand } from "./pct-common.ts";
import {
  configCommand,
  execCommand,
  listCommand,
  listSnapshotCommand,
  statusCommand,
} from "./pct-info.ts";
import { destroyCommand, shutdownCommand, startCommand, stopCommand } from "./pct-power.ts";
import { setCommand } from "./pct-set.ts";
import {
  delSnapshotCommand,
  resizeCommand,
  snapshotCommand,
  templateCommand,
  unlockCommand,
} from "./pct-storage.ts";

/** The subcommands the simulator implements; the rest of pct's commands are rejected. */
const commands: Record<string, PctCommand> = {
  clone: cloneCommand,
  config: configCommand,
  delsnapshot: delSnapshotCommand,
  destroy: destroyCommand,
  exec: execCommand,
  list: listCommand,
  listsnapshot: listSnapshotCommand,
  resize: resizeCommand,
  set: setCommand,
  shutdown: shutdownCommand,
  snapshot: snapshotCommand,
  start: startCommand,
  status: statusCommand,
  stop: stopCommand,
  template: templateCommand,
  unlock: unlockCommand,
};

/** Runs `pct <args>` on the node of `env`. */
export async function runPct(env: SimEnv, args: readonly string[]): Promise<void> {
  const [requestedName, ...rest] = args;
  if (requestedName === undefined) {
    throw usageError("no command specified");
  }
  if (requestedName === "help") {
    process.stdout.write(usageText());
    return;
  }

  const name = resolveCommandName(requestedName);
  if (name === undefined) {
    throw usageError(`unknown command 'pct ${requestedName}'`);
  }
  const command = commands[name]!;
  await command.run(env, parseCommandArgs(command.spec, rest));
}

function resolveCommandName(requestedName: string): string | undefined {
  if (commands[requestedName]) {
    return requestedName;
  }
  const candidates = Object.keys(commands).filter((name) => name.startsWith(requestedName));
  return candidates.length === 1 ? candidates[0] : undefined;
}

function usageText(): string {
  const lines = Object.keys(commands)
    .sort()
    .map((name) => `       ${usageLine(commands[name]!.spec)}\n`);
  return `USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n\n${lines.join("")}`;
}

function usageError(reason: string): PveError {
  return new PveError(`ERROR: ${reason}\n${usageText()}`);
}
