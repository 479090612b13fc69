/**
 * Command-line parsing of Proxmox VE 8 CLI tools, after pve-common `PVE::JSONSchema::get_options`
 * (Getopt::Long with `--` or `-` option prefixes, unique abbreviations, case-insensitive names)
 * and `PVE::RESTHandler::cli_handler`, which appends the short usage to parameter errors.
 */
import { PveError } from "./errors.ts";
import { parseBoolean } from "./formats.ts";
import { checkProperty, formatErrorLines, type PropertySchema } from "./schema.ts";

/** A CLI command: positional parameter names (`extra-args` takes the rest) and its options. */
export interface CommandSpec {
  /** Command prefix for the usage line, e.g. "pct set". */
  prefix: string;
  positional: readonly string[];
  params: PropertySchema;
}

/** Parsed parameters: strings, plus the `extra-args` array when the command takes one. */
export interface ParsedParams {
  values: Record<string, string>;
  extraArgs: string[];
}

/** Returns the short usage line, e.g. "pct clone <vmid> <newid> [OPTIONS]". */
export function usageLine(spec: CommandSpec): string {
  const args = spec.positional.map((name) => (name === "extra-args" ? `[<${name}>]` : `<${name}>`));
  const hasOptions = Object.keys(spec.params).some((name) => !spec.positional.includes(name));
  return [spec.prefix, ...args].join(" ") + (hasOptions ? " [OPTIONS]" : "");
}

/**
 * Builds the error `pct` prints for a request error: "400 <message>" and the usage line, after
 * `preamble` (Getopt::Long's own warning, such as "Unknown option: foo\n").
 */
export function requestError(spec: CommandSpec, message: string, preamble = ""): PveError {
  return new PveError(`${preamble}400 ${message}\n${usageLine(spec)}\n`);
}

/**
 * Parses `args` against `spec` and verifies every value.
 * Throws PveError with Proxmox's message and exit status 255 on any problem.
 */
export function parseCommandArgs(spec: CommandSpec, args: readonly string[]): ParsedParams {
  const { options, rest } = collectOptions(spec, args);
  const parsed = assignPositional(spec, options, rest);

  const errors: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    const error = checkProperty(spec.params[name]!, value);
    if (error !== undefined) {
      errors[name] = error;
    }
  }
  if (Object.keys(errors).length > 0) {
    throw verificationError(spec, errors);
  }
  return parsed;
}

/** Builds the "Parameter verification failed." error for `errors` (name to Proxmox's message). */
export function verificationError(spec: CommandSpec, errors: Record<string, string>): PveError {
  const body = `400 Parameter verification failed.\n${formatErrorLines(errors)}`;
  return new PveError(`${body}${usageLine(spec)}\n`);
}

function collectOptions(spec: CommandSpec, args: readonly string[]) {
  const options: Record<string, string> = {};
  const rest: string[] = [];

  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--") {
      rest.push(...args.slice(index + 1));
      break;
    }
    const option = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!option || arg === "-") {
      rest.push(arg);
      continue;
    }

    const name = resolveOptionName(spec, option[1]!);
    const param = spec.params[name]!;
    let value = option[2];
    if (value === undefined && param.type === "boolean") {
      const next = args[index + 1];
      value = next !== undefined && !/^--?[^-]/.test(next) ? args[++index]! : "";
    } else if (value === undefined) {
      if (index + 1 >= args.length) {
        throw requestError(
          spec,
          "unable to parse option",
          `Option ${option[1]} requires an argument\n`,
        );
      }
      value = args[++index]!;
    }
    options[name] = param.list && options[name] !== undefined ? `${options[name]},${value}` : value;
  }
  return { options: convertBooleans(spec, options), rest };
}

function resolveOptionName(spec: CommandSpec, optionName: string): string {
  const names = Object.keys(spec.params).filter((name) => !spec.positional.includes(name));
  const exact =
    names.find((name) => name === optionName) ??
    names.find((name) => name.toLowerCase() === optionName.toLowerCase());
  if (exact) {
    return exact;
  }

  const candidates = names.filter((name) =>
    name.toLowerCase().startsWith(optionName.toLowerCase()),
  );
  if (candidates.length === 1) {
    return candidates[0]!;
  }
  const preamble =
    candidates.length > 1
      ? `Option ${optionName} is ambiguous (${candidates.sort().join(", ")})\n`
      : `Unknown option: ${optionName.toLowerCase()}\n`;
  throw requestError(spec, "unable to parse option", preamble);
}

function convertBooleans(spec: CommandSpec, options: Record<string, string>) {
  for (const [name, value] of Object.entries(options)) {
    if (spec.params[name]!.type !== "boolean") {
      continue;
    }
    const parsed = value === "" ? 1 : parseBoolean(value);
    if (parsed === undefined) {
      throw requestError(spec, "unable to parse boolean option");
    }
    options[name] = String(parsed);
  }
  return options;
}

function assignPositional(spec: CommandSpec, options: Record<string, string>, rest: string[]) {
  const values = { ...options };
  let extraArgs: string[] = [];
  const queue = [...rest];

  for (const name of spec.positional) {
    if (name === "extra-args") {
      extraArgs = queue.splice(0);
      break;
    }
    const value = queue.shift();
    if (value === undefined) {
      throw requestError(spec, "not enough arguments");
    }
    values[name] = value;
  }
  if (queue.length > 0) {
    throw requestError(spec, "too many arguments");
  }
  return { values, extraArgs };
}
