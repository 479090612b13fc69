/**
 * Reads and edits the `server` lines of one backend in an HAProxy 2.6 configuration file.
 * New server lines go inside the backend's own section. They are never simply appended to the
 * file, because a section ends at the next section keyword, so an appended line would belong to
 * whatever section comes last.
 */
import {
  type ConfigLine,
  type ConfigSection,
  contentEnd,
  dominantEol,
  indentOf,
  joinConfigLines,
  listSections,
  makeLine,
  splitConfigLines,
} from "./haproxy-sections.ts";
import { fail, type OpsFailure, quoteLine } from "./result.ts";
import { isIpv4, isPort, isRuntimeName } from "./validate.ts";

/** A server of a backend as its `server NAME ADDRESS:PORT` line declares it. */
export interface ServerAddress {
  name: string;
  /** The address as written, without the port and without IPv6 brackets. */
  address: string;
  port: number;
}

/** A server line to insert: `server NAME ADDRESS:PORT OPTIONS...`. */
export interface ServerLine {
  name: string;
  /** IPv4 address. */
  address: string;
  port: number;
  /** Server keywords after the address. Defaults to `["check"]`. */
  options?: string[];
}

/** The result of `findBackend`: the line range of the section, end excluded. */
export type BackendRangeResult = { ok: true; start: number; end: number } | OpsFailure;

/** The result of `listServers`. */
export type ServerListResult = { ok: true; servers: ServerAddress[] } | OpsFailure;

/** The result of the editors: the whole new file text. */
export type ConfigEditResult = { ok: true; text: string } | OpsFailure;

/** The result of `balanceAlgorithm`. The algorithm is undefined when no section sets it. */
export type BalanceResult = { ok: true; algorithm: string | undefined } | OpsFailure;

// `add server` in HAProxy 2.6 requires one of these algorithms in the backend.
const DYNAMIC_ALGORITHMS = ["roundrobin", "leastconn", "first", "random"];
const OPTION_WORD = /^[^\s#"'\\]+$/;

/**
 * Finds the `backend NAME` section, or a `listen NAME` section, which is a backend too.
 * `start` is the keyword line and `end` the next section's keyword line or the line count.
 */
export function findBackend(text: string, backend: string): BackendRangeResult {
  const found = findSection(splitConfigLines(text), backend);
  if (!found.ok) return found;

  return { ok: true, start: found.section.start, end: found.section.end };
}

type SectionResult = { ok: true; section: ConfigSection } | OpsFailure;

function findSection(lines: readonly ConfigLine[], backend: string): SectionResult {
  const matches = listSections(lines).filter(
    (section) =>
      (section.keyword === "backend" || section.keyword === "listen") && section.name === backend,
  );

  if (matches.length === 0) return fail(`backend ${backend} not found in the HAProxy config`);
  if (matches.length > 1) {
    return fail(`backend ${backend} is defined ${matches.length} times in the HAProxy config`);
  }
  return { ok: true, section: matches[0]! };
}

/** Lists the `server` lines of a backend. A server line without `ADDRESS:PORT` is an error. */
export function listServers(text: string, backend: string): ServerListResult {
  const lines = splitConfigLines(text);
  const found = findSection(lines, backend);
  if (!found.ok) return found;

  const read = readServers(lines, found.section);
  if (!read.ok) return read;

  const servers = read.servers.map(({ name, address, port }) => ({ name, address, port }));
  return { ok: true, servers };
}

type IndexedServer = ServerAddress & { index: number };

function readServers(lines: readonly ConfigLine[], section: ConfigSection) {
  const servers: IndexedServer[] = [];

  for (let index = section.start + 1; index < section.end; index += 1) {
    const line = lines[index]!;
    if (line.words[0] !== "server") continue;

    const server = parseServerWords(line.words);
    if (!server)
      return fail(`unexpected server line in the HAProxy config: ${quoteLine(line.content)}`);
    servers.push({ ...server, index });
  }

  return { ok: true as const, servers };
}

function parseServerWords(words: readonly string[]): ServerAddress | undefined {
  const [, name, address] = words;
  if (name === undefined || address === undefined) return undefined;

  const match = /^(.+):(\d{1,5})$/.exec(address);
  if (!match || !isPort(Number(match[2]))) return undefined;
  return { name, address: match[1]!.replace(/^\[(.*)\]$/, "$1"), port: Number(match[2]) };
}

/**
 * Inserts server lines into a backend after its last `server` line. A backend without one gets
 * them after its last line that is neither blank nor a comment. New lines copy the indentation
 * of the nearest server or directive line and the file's line endings.
 * A server whose name is already in the backend with the same address is skipped, so a repeated
 * call changes nothing. The same name with another address is an error.
 */
export function insertServers(
  text: string,
  backend: string,
  servers: readonly ServerLine[],
): ConfigEditResult {
  const invalid = servers.map(checkServerLine).find((error) => error !== undefined);
  if (invalid) return fail(invalid);

  const lines = splitConfigLines(text);
  const found = findSection(lines, backend);
  if (!found.ok) return found;
  const existing = readServers(lines, found.section);
  if (!existing.ok) return existing;

  const added = selectNewServers(servers, existing.servers, backend);
  if (!Array.isArray(added)) return added;
  if (added.length === 0) return { ok: true, text };

  spliceServers(lines, found.section, existing.servers, added);
  return { ok: true, text: joinConfigLines(lines) };
}

function checkServerLine(server: ServerLine): string | undefined {
  if (!isRuntimeName(server.name)) return `invalid server name ${quoteLine(server.name)}`;
  if (!isIpv4(server.address)) return `invalid IPv4 address ${quoteLine(server.address)}`;
  if (!isPort(server.port)) return `invalid port ${server.port} for server ${server.name}`;

  const option = (server.options ?? []).find((word) => !OPTION_WORD.test(word));
  if (option !== undefined) return `invalid server option ${quoteLine(option)}`;
  return undefined;
}

function selectNewServers(
  requested: readonly ServerLine[],
  existing: readonly ServerAddress[],
  backend: string,
): ServerLine[] | OpsFailure {
  const names = new Set<string>();
  const added: ServerLine[] = [];

  for (const server of requested) {
    if (names.has(server.name)) return fail(`server ${server.name} is listed twice`);
    names.add(server.name);

    const present = existing.find((other) => other.name === server.name);
    if (!present) added.push(server);
    else if (present.address !== server.address || present.port !== server.port) {
      const old = `${present.address}:${present.port}`;
      const next = `${server.address}:${server.port}`;
      return fail(
        `server ${server.name} already exists in backend ${backend} at ${old}, not ${next}`,
      );
    }
  }

  return added;
}

function spliceServers(
  lines: ConfigLine[],
  section: ConfigSection,
  existing: readonly IndexedServer[],
  added: readonly ServerLine[],
): void {
  const lastServer = existing[existing.length - 1];
  const at = lastServer ? lastServer.index + 1 : contentEnd(lines, section);
  const anchor = lines[at - 1]!;
  const eol = anchor.eol || dominantEol(lines);
  const indent = chooseIndent(lines, section, lastServer?.index);

  const newLines = added.map((server) => makeLine(formatServerLine(indent, server), eol));
  // The anchor may be the file's last line without a line ending, which the new lines inherit.
  newLines[newLines.length - 1]!.eol = anchor.eol;
  anchor.eol = eol;
  lines.splice(at, 0, ...newLines);
}

function chooseIndent(lines: readonly ConfigLine[], section: ConfigSection, server?: number) {
  if (server !== undefined) return indentOf(lines[server]!);

  const inSection = lines.slice(section.start + 1, section.end).find(isIndentedDirective);
  const anywhere = inSection ?? lines.find(isIndentedDirective);
  return anywhere ? indentOf(anywhere) : "    ";
}

function isIndentedDirective(line: ConfigLine): boolean {
  return line.words.length > 0 && indentOf(line) !== "";
}

function formatServerLine(indent: string, server: ServerLine): string {
  const options = server.options ?? ["check"];
  return [`${indent}server`, server.name, `${server.address}:${server.port}`, ...options].join(" ");
}

/** Removes the `server` lines of the named servers from a backend. Absent names are ignored. */
export function removeServers(
  text: string,
  backend: string,
  names: readonly string[],
): ConfigEditResult {
  const lines = splitConfigLines(text);
  const found = findSection(lines, backend);
  if (!found.ok) return found;

  const { start, end } = found.section;
  const isRemoved = (line: ConfigLine, index: number) =>
    index > start && index < end && line.words[0] === "server" && names.includes(line.words[1]!);
  const remaining = lines.filter((line, index) => !isRemoved(line, index));

  // Removing the last line must not add a line ending that the file did not have.
  const lastRemoved = lines.length > 0 && isRemoved(lines[lines.length - 1]!, lines.length - 1);
  if (lastRemoved && remaining.length > 0) {
    remaining[remaining.length - 1]!.eol = lines[lines.length - 1]!.eol;
  }
  return { ok: true, text: joinConfigLines(remaining) };
}

/**
 * Returns the backend's load-balancing algorithm, such as `roundrobin` or `source`. Without a
 * `balance` line in the backend, the value comes from the defaults section it inherits from:
 * the one named after `from`, or else the last `defaults` section above it. When neither sets
 * it, the algorithm is undefined and HAProxy 2.6 uses roundrobin.
 */
export function balanceAlgorithm(text: string, backend: string): BalanceResult {
  const lines = splitConfigLines(text);
  const found = findSection(lines, backend);
  if (!found.ok) return found;

  const own = balanceIn(lines, found.section);
  if (own !== undefined) return { ok: true, algorithm: own };

  const defaults = inheritedDefaults(lines, found.section);
  if (defaults && !defaults.ok) return defaults;
  return { ok: true, algorithm: defaults ? balanceIn(lines, defaults.section) : undefined };
}

function balanceIn(lines: readonly ConfigLine[], section: ConfigSection): string | undefined {
  let algorithm: string | undefined;
  for (let index = section.start + 1; index < section.end; index += 1) {
    const words = lines[index]!.words;
    // A later `balance` line overrides an earlier one.
    if (words[0] === "balance" && words[1] !== undefined) algorithm = words[1];
  }
  return algorithm;
}

function inheritedDefaults(lines: readonly ConfigLine[], backend: ConfigSection) {
  const all = listSections(lines).filter((section) => section.keyword === "defaults");

  if (backend.from !== undefined) {
    const named = all.find((section) => section.name === backend.from);
    if (named) return { ok: true as const, section: named };
    return fail(`defaults section ${backend.from} not found in the HAProxy config`);
  }

  const above = all.filter((section) => section.start < backend.start);
  const last = above[above.length - 1];
  return last ? { ok: true as const, section: last } : undefined;
}

/**
 * Returns whether `add server` can add servers to a backend with this algorithm. HAProxy 2.6
 * accepts roundrobin, leastconn, first and random. An undefined algorithm means roundrobin.
 */
export function supportsDynamicServers(algorithm: string | undefined): boolean {
  if (algorithm === undefined) return true;

  // `random` takes an optional draw count, as in `random(2)`.
  const name = algorithm.replace(/\(.*\)$/, "");
  return DYNAMIC_ALGORITHMS.includes(name);
}
