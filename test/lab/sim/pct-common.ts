/** Types and parameter specs shared by the `pct` subcommands. */
import type { CommandSpec, ParsedParams } from "./cli-args.ts";
import type { SimEnv } from "./env.ts";
import { checkConfigId, checkNodeName, type FormatCheck } from "./formats.ts";
import type { PropertySpec } from "./schema.ts";

/** One `pct` subcommand: its argument spec and its implementation. */
export interface PctCommand {
  spec: CommandSpec;
  run: (env: SimEnv, params: ParsedParams) => Promise<void>;
}

const checkVmidFormat: FormatCheck = (value) =>
  /^[1-9][0-9]{2,8}$/.test(value) ? undefined : "value does not look like a valid VM ID\n";

/** The `pve-vmid` standard option. */
export const vmidParam: PropertySpec = {
  type: "integer",
  format: checkVmidFormat,
  minimum: 100,
  maximum: 999_999_999,
};

/** The `pve-snapshot-name` standard option. */
export const snapshotNameParam: PropertySpec = {
  type: "string",
  format: checkConfigId,
  maxLength: 40,
};

/** The `pve-node` standard option. */
export const nodeParam: PropertySpec = { type: "string", format: checkNodeName };

/** An optional boolean flag. */
export const flagParam: PropertySpec = { type: "boolean", optional: true };

/** Builds a spec for `pct <name>` whose positional parameters come first in `params`. */
export function pctSpec(
  name: string,
  positional: readonly string[],
  params: Record<string, PropertySpec>,
): CommandSpec {
  return { prefix: `pct ${name}`, positional, params };
}

/** Writes `text` to stdout. */
export function print(text: string): void {
  process.stdout.write(text);
}

/** Writes a warning line to stderr, as Perl's `warn` does in a Proxmox worker. */
export function warn(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}
