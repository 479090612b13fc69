/**
 * Commands for the HAProxy 2.6 runtime API (the stats socket) and parsers for its replies.
 * Builders throw `RangeError` on a name or address that the API would misread. Reply texts
 * were checked against HAProxy 2.6.12.
 */
import { fail, type OpsFailure, quoteLine, splitOutputLines } from "./result.ts";
import { checkIpv4, checkPort, checkRuntimeName } from "./validate.ts";

/** Administrative state that `set server ... state` sets. */
export type ServerAdminState = "ready" | "drain" | "maint";

/** Options of `addServer`. */
export interface AddServerOptions {
  /** Adds the `check` keyword. Defaults to true. */
  check?: boolean;
}

/** The result of a reply parser. `messages` are the lines before the success line. */
export type RuntimeReplyResult = { ok: true; messages: string[] } | OpsFailure;

/**
 * One row of `show servers state`, keyed by the header's field names. The parser checks that
 * the named fields are present. Other fields, such as `srv_check_state`, vary by version.
 */
export type ServerStateRow = Record<string, string> & {
  be_name: string;
  srv_name: string;
  srv_addr: string;
  srv_op_state: string;
  srv_admin_state: string;
  srv_port: string;
};

/** The result of `parseServersState`. */
export type ServersStateResult = { ok: true; rows: ServerStateRow[] } | OpsFailure;

/** One row of `show stat`: a frontend, backend, server or listener. */
export interface StatRow {
  pxname: string;
  /** Server name, or `FRONTEND` or `BACKEND` for a proxy's summary row. */
  svname: string;
  /** UP, DOWN, MAINT, DRAIN, NOLB, `no check`, OPEN, or a transition such as `UP 1/3`. */
  status: string;
  /** Current sessions. */
  scur: number;
  /** `address:port` of a server. Absent on frontend and backend rows. */
  addr?: string;
  /** Last health check result such as L7OK or L4CON, `* ` prefixed while a check runs. */
  check_status: string;
  /** Every field of the row keyed by the header's names, as text. */
  fields: Record<string, string>;
}

/** The result of `parseShowStat`. */
export type ShowStatResult = { ok: true; rows: StatRow[] } | OpsFailure;

const ADD_SERVER_SUCCESS = "New server registered.";
const DEL_SERVER_SUCCESS = "Server deleted.";
const SERVERS_STATE_VERSION = "1";
const REQUIRED_STATE_FIELDS = [
  "be_name",
  "srv_name",
  "srv_addr",
  "srv_op_state",
  "srv_admin_state",
  "srv_port",
];
const SOCKET_PATH = /^\/[A-Za-z0-9._/-]+$/;

function serverRef(backend: string, server: string): string {
  return `${checkRuntimeName(backend, "backend name")}/${checkRuntimeName(server, "server name")}`;
}

/**
 * Builds `add server BACKEND/SERVER IP:PORT [check]`. HAProxy 2.6 creates the server in
 * maintenance mode with its health check disabled, so `enableHealth` and `enableServer` must
 * follow. The backend must use a dynamic algorithm (see `supportsDynamicServers`).
 */
export function addServer(
  backend: string,
  server: string,
  ip: string,
  port: number,
  options: AddServerOptions = {},
): string {
  const command = `add server ${serverRef(backend, server)} ${checkIpv4(ip)}:${checkPort(port)}`;
  return options.check === false ? command : `${command} check`;
}

/** Builds `enable health BACKEND/SERVER`, which starts the health check of a server. */
export function enableHealth(backend: string, server: string): string {
  return `enable health ${serverRef(backend, server)}`;
}

/** Builds `enable server BACKEND/SERVER`, which takes a server out of maintenance. */
export function enableServer(backend: string, server: string): string {
  return `enable server ${serverRef(backend, server)}`;
}

/** Builds `set server BACKEND/SERVER state STATE`. */
export function setServerState(backend: string, server: string, state: ServerAdminState): string {
  if (!["ready", "drain", "maint"].includes(state)) {
    throw new RangeError(`invalid server state ${JSON.stringify(state)}`);
  }
  return `set server ${serverRef(backend, server)} state ${state}`;
}

/**
 * Builds `del server BACKEND/SERVER`. HAProxy 2.6 deletes only servers in maintenance mode and
 * without connections, so `setServerState(..., "maint")` and a drain must come first.
 */
export function delServer(backend: string, server: string): string {
  return `del server ${serverRef(backend, server)}`;
}

/** Builds `show servers state [BACKEND]`, whose reply `parseServersState` reads. */
export function showServersState(backend?: string): string {
  if (backend === undefined) return "show servers state";
  return `show servers state ${checkRuntimeName(backend, "backend name")}`;
}

/** Builds `show stat`, whose reply `parseShowStat` reads. */
export function showStat(): string {
  return "show stat";
}

/**
 * Builds the argument vector that connects stdin and stdout to the stats socket. Write one
 * command and a newline to stdin. HAProxy then replies and closes the connection.
 */
export function socketArgv(socketPath: string): string[] {
  // socat reads `,` and `:` in an address as option separators, so the path must not have them.
  if (!SOCKET_PATH.test(socketPath)) {
    throw new RangeError(`invalid socket path ${JSON.stringify(socketPath)}: must be absolute`);
  }
  // socat stops 0.5 s after stdin ends by default, which could cut a long `show stat` reply
  // short; HAProxy closes the connection once it has replied, so a longer wait costs nothing.
  return ["socat", "-t", "10", "stdio", `UNIX-CONNECT:${socketPath}`];
}

/**
 * Parses the reply to `add server`. Success is the line `New server registered.`, which may
 * follow warning lines. Any other reply, such as `No such backend.`, is the error text.
 */
export function parseAddServerReply(text: string): RuntimeReplyResult {
  return parseSuccessLine(text, ADD_SERVER_SUCCESS, "add server");
}

/**
 * Parses the reply to `del server`. Success is `Server deleted.`. Failures include
 * `Only servers in maintenance mode can be deleted.` and `No such server.`.
 */
export function parseDelServerReply(text: string): RuntimeReplyResult {
  return parseSuccessLine(text, DEL_SERVER_SUCCESS, "del server");
}

function parseSuccessLine(text: string, success: string, command: string): RuntimeReplyResult {
  const lines = splitOutputLines(text).map((line) => line.trim());
  if (lines[lines.length - 1] === success) return { ok: true, messages: lines.slice(0, -1) };

  const reply = lines.join(" ").trim();
  return fail(`${command} failed: ${reply === "" ? "empty reply" : reply}`);
}

/**
 * Returns whether a reply is empty, which is how `enable server`, `enable health` and
 * `set server` report success. Their errors are text such as `No such server.`.
 */
export function isEmptyReply(text: string): boolean {
  return text.trim() === "";
}

/**
 * Parses the reply to `show servers state`: a version line `1`, a `#` line with the field
 * names, then one space-separated row per server. Any other reply, such as
 * `Can't find backend.`, is an error.
 */
export function parseServersState(text: string): ServersStateResult {
  const [version, header, ...rows] = splitOutputLines(text);
  if (version?.trim() !== SERVERS_STATE_VERSION) {
    return fail(`unexpected servers state reply: ${quoteLine(version ?? "")}`);
  }
  if (!header?.startsWith("# ")) {
    return fail(`missing header in servers state reply: ${quoteLine(header ?? "")}`);
  }

  const names = header.slice(2).trim().split(/\s+/);
  const missing = REQUIRED_STATE_FIELDS.find((field) => !names.includes(field));
  if (missing) return fail(`servers state header lacks ${missing}: ${quoteLine(header)}`);

  return collectStateRows(names, rows);
}

function collectStateRows(names: string[], lines: string[]): ServersStateResult {
  const rows: ServerStateRow[] = [];

  for (const line of lines) {
    if (line.trim() === "") continue;
    const values = line.trim().split(/\s+/);
    if (values.length !== names.length) {
      return fail(
        `servers state row has ${values.length} fields, not ${names.length}: ${quoteLine(line)}`,
      );
    }
    rows.push(Object.fromEntries(names.map((name, i) => [name, values[i]!])) as ServerStateRow);
  }

  return { ok: true, rows };
}

/**
 * Parses the CSV reply to `show stat`. The header starts with `# pxname,svname,` and every
 * line, the header included, ends with a comma. Fields containing a comma or a quote are
 * quoted with `"`.
 */
export function parseShowStat(csv: string): ShowStatResult {
  const [header, ...lines] = splitOutputLines(csv);
  if (!header?.startsWith("# pxname,svname,")) {
    return fail(`unexpected show stat reply: ${quoteLine(header ?? "")}`);
  }

  const names = splitCsvLine(header.slice(2));
  if (!names) return fail(`invalid show stat header: ${quoteLine(header)}`);

  const rows: StatRow[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const row = parseStatLine(names, line);
    if (typeof row === "string") return fail(row);
    rows.push(row);
  }
  return { ok: true, rows };
}

function parseStatLine(names: string[], line: string): StatRow | string {
  const values = splitCsvLine(line);
  if (!values || values.length !== names.length) {
    return `show stat row does not match the header: ${quoteLine(line)}`;
  }

  const fields = Object.fromEntries(names.map((name, i) => [name, values[i]!]));
  const scur = fields.scur ?? "";
  if (!/^\d*$/.test(scur)) return `invalid scur in show stat row: ${quoteLine(line)}`;

  const row: StatRow = {
    pxname: fields.pxname ?? "",
    svname: fields.svname ?? "",
    status: fields.status ?? "",
    scur: Number(scur),
    check_status: fields.check_status ?? "",
    fields,
  };
  if (fields.addr) row.addr = fields.addr;
  return row;
}

/** Splits one CSV line. Returns undefined when a quoted field is not closed. */
function splitCsvLine(line: string): string[] | undefined {
  const values: string[] = [];
  let current = "";
  let quoted = false;

  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]!;
    if (quoted && char === '"' && line[i + 1] === '"') {
      current += '"';
      i += 1;
    } else if (char === '"') quoted = !quoted;
    else if (char === "," && !quoted) {
      values.push(current);
      current = "";
    } else current += char;
  }

  values.push(current);
  return quoted ? undefined : values;
}

/** Returns the `show stat` status of one server, or undefined when no row matches. */
export function serverStatus(
  rows: readonly StatRow[],
  backend: string,
  server: string,
): string | undefined {
  return rows.find((row) => row.pxname === backend && row.svname === server)?.status;
}
