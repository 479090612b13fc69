import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  addServer,
  delServer,
  enableHealth,
  enableServer,
  isEmptyReply,
  parseAddServerReply,
  parseDelServerReply,
  parseServersState,
  parseShowStat,
  type ServerAdminState,
  serverStatus,
  setServerState,
  showServersState,
  showStat,
  socketArgv,
} from "../../src/ops/haproxy-runtime.ts";

// Replies captured from HAProxy 2.6.12: api-gw-1 and -2 are DOWN, api-gw-3 and web-2 were added
// with `add server`, and web-2 is still in maintenance.
const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const serversState = fixture("servers-state-2.6.12.txt");
const drainState = fixture("servers-state-drain-2.6.12.txt");
const stat = fixture("show-stat-2.6.12.txt");

function stateRows(text: string) {
  const result = parseServersState(text);
  if (!result.ok) throw new Error(result.error);
  return result.rows;
}

function statRows(text: string) {
  const result = parseShowStat(text);
  if (!result.ok) throw new Error(result.error);
  return result.rows;
}

describe("command builders", () => {
  it("builds add server with check", () => {
    const command = addServer("api-gw", "api-gw-3", "127.0.10.12", 8080, { check: true });

    expect(command).toBe("add server api-gw/api-gw-3 127.0.10.12:8080 check");
  });

  it("adds check by default", () => {
    expect(addServer("api-gw", "api-gw-3", "127.0.10.12", 8080)).toMatch(/ check$/);
  });

  it("omits check on request", () => {
    const command = addServer("api-gw", "api-gw-3", "127.0.10.12", 8080, { check: false });

    expect(command).toBe("add server api-gw/api-gw-3 127.0.10.12:8080");
  });

  it("builds server commands", () => {
    expect(enableHealth("api-gw", "api-gw-3")).toBe("enable health api-gw/api-gw-3");
    expect(enableServer("api-gw", "api-gw-3")).toBe("enable server api-gw/api-gw-3");
    expect(delServer("api-gw", "api-gw-3")).toBe("del server api-gw/api-gw-3");
    expect(setServerState("api-gw", "api-gw-3", "drain")).toBe(
      "set server api-gw/api-gw-3 state drain",
    );
  });

  it("builds show commands", () => {
    expect(showServersState("api-gw")).toBe("show servers state api-gw");
    expect(showServersState()).toBe("show servers state");
    expect(showStat()).toBe("show stat");
  });

  it.each([
    ["api-gw;show", "x"],
    ["api-gw", "x y"],
    ["api-gw", "x/y"],
    ["", "x"],
    ["api-gw", "x\nshutdown sessions"],
  ])("rejects names %j and %j", (backend, server) => {
    expect(() => enableServer(backend, server)).toThrow(RangeError);
  });

  it.each([
    ["127.0.10.256", 8080],
    ["127.0.10.12:80", 8080],
    ["example.com", 8080],
    ["127.0.10.12", 0],
    ["127.0.10.12", 65536],
  ])("rejects address %j port %j", (ip, port) => {
    expect(() => addServer("api-gw", "api-gw-3", ip, port)).toThrow(RangeError);
  });

  it("rejects an unknown state", () => {
    const state = "up" as ServerAdminState;

    expect(() => setServerState("api-gw", "api-gw-3", state)).toThrow(RangeError);
  });

  it("connects socat to the socket", () => {
    expect(socketArgv("/run/haproxy/admin.sock")).toEqual([
      "socat",
      "-t",
      "10",
      "stdio",
      "UNIX-CONNECT:/run/haproxy/admin.sock",
    ]);
  });

  it.each(["run/haproxy.sock", "/run/a,b.sock", "/run/a:b", "/run/a b"])(
    "rejects socket path %j",
    (path) => {
      expect(() => socketArgv(path)).toThrow(RangeError);
    },
  );
});

describe("reply parsers", () => {
  it("accepts the add server success reply", () => {
    expect(parseAddServerReply("New server registered.\n\n")).toEqual({ ok: true, messages: [] });
  });

  it("keeps warnings before the success line", () => {
    const reply = "[WARNING] server has no check port\nNew server registered.\n";

    expect(parseAddServerReply(reply)).toEqual({
      ok: true,
      messages: ["[WARNING] server has no check port"],
    });
  });

  it("returns the add server error text", () => {
    const reply = "Already exists a server with the same name in backend.\n\n";

    expect(parseAddServerReply(reply)).toEqual({
      ok: false,
      error: "add server failed: Already exists a server with the same name in backend.",
    });
  });

  it("rejects an empty add server reply", () => {
    expect(parseAddServerReply("\n")).toEqual({
      ok: false,
      error: "add server failed: empty reply",
    });
  });

  it("accepts the del server success reply", () => {
    expect(parseDelServerReply("Server deleted.\n").ok).toBe(true);
  });

  it("returns the del server error text", () => {
    const result = parseDelServerReply("Only servers in maintenance mode can be deleted.\n");

    expect(result).toEqual({
      ok: false,
      error: "del server failed: Only servers in maintenance mode can be deleted.",
    });
  });

  it("treats whitespace as an empty reply", () => {
    expect(isEmptyReply("\n")).toBe(true);
    expect(isEmptyReply("")).toBe(true);
    expect(isEmptyReply("No such server.\n\n")).toBe(false);
  });
});

describe("parseServersState", () => {
  it("keys rows by header names", () => {
    const rows = stateRows(serversState);

    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({
      be_id: "3",
      be_name: "api-gw",
      srv_id: "3",
      srv_name: "api-gw-3",
      srv_addr: "127.0.10.12",
      srv_op_state: "2",
      srv_admin_state: "0",
      srv_port: "8080",
      srv_fqdn: "-",
    });
    expect(Object.keys(rows[0]!)).toHaveLength(25);
  });

  it("shows the drain flag", () => {
    const rows = stateRows(drainState);

    expect(rows.find((row) => row.srv_name === "api-gw-3")?.srv_admin_state).toBe("8");
  });

  it("accepts a backend without servers", () => {
    const [version, header] = serversState.split("\n");

    expect(stateRows(`${version}\n${header}\n`)).toEqual([]);
  });

  it("accepts CRLF", () => {
    expect(stateRows(serversState.replaceAll("\n", "\r\n"))).toHaveLength(3);
  });

  it("rejects the unknown backend reply", () => {
    const result = parseServersState("Can't find backend.\n\n");

    expect(result).toEqual({
      ok: false,
      error: 'unexpected servers state reply: "Can\'t find backend."',
    });
  });

  it("rejects a missing header", () => {
    const result = parseServersState("1\n3 api-gw 1 api-gw-1 127.0.10.10 0 0 1 1\n");

    expect(result.ok).toBe(false);
  });

  it("rejects a header without srv_port", () => {
    const result = parseServersState("1\n# be_id be_name srv_id srv_name srv_addr\n");

    expect(!result.ok && result.error).toContain("srv_op_state");
  });

  it("rejects a short row and names it", () => {
    const truncated = `${serversState.trimEnd()}\n3 api-gw 4 api-gw-4 127.0.10.13\n`;

    const result = parseServersState(truncated);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('"3 api-gw 4 api-gw-4 127.0.10.13"');
  });
});

describe("parseShowStat", () => {
  it("reads every proxy row", () => {
    const rows = statRows(stat);

    expect(rows.map((row) => `${row.pxname}/${row.svname}`)).toEqual([
      "api-gw-in/FRONTEND",
      "api-gw/api-gw-1",
      "api-gw/api-gw-2",
      "api-gw/api-gw-3",
      "api-gw/BACKEND",
      "web/web-1",
      "web/web-2",
      "web/BACKEND",
    ]);
  });

  it("reads server fields", () => {
    const rows = statRows(stat);
    const server = rows.find((row) => row.svname === "api-gw-3");

    expect(server).toMatchObject({
      pxname: "api-gw",
      status: "UP",
      scur: 0,
      addr: "127.0.10.12:8080",
      check_status: "L7OK",
    });
    expect(server?.fields.check_desc).toBe("Layer7 check passed");
  });

  it("reads a failed check", () => {
    const rows = statRows(stat);

    expect(rows.find((row) => row.svname === "api-gw-1")).toMatchObject({
      status: "DOWN",
      check_status: "L4CON",
    });
  });

  it("leaves addr out of summary rows", () => {
    const rows = statRows(stat);

    expect(rows.find((row) => row.svname === "BACKEND")?.addr).toBeUndefined();
    expect(rows.find((row) => row.svname === "BACKEND")?.fields.algo).toBe("roundrobin");
  });

  it("unquotes fields with commas and quotes", () => {
    const csv = '# pxname,svname,scur,status,last_chk,\napi-gw,a1,3,UP,"got ""500"", retrying",\n';

    const rows = statRows(csv);

    expect(rows[0]?.fields.last_chk).toBe('got "500", retrying');
    expect(rows[0]?.scur).toBe(3);
  });

  it("rejects a reply without the header", () => {
    const result = parseShowStat("Permission denied\n\n");

    expect(result).toEqual({ ok: false, error: 'unexpected show stat reply: "Permission denied"' });
  });

  it("rejects a row with missing fields", () => {
    const result = parseShowStat(`${stat.trimEnd()}\napi-gw,api-gw-9,0\n`);

    expect(!result.ok && result.error).toContain('"api-gw,api-gw-9,0"');
  });

  it("rejects an unclosed quote", () => {
    const result = parseShowStat('# pxname,svname,scur,\napi-gw,"a1,0,\n');

    expect(result.ok).toBe(false);
  });

  it("rejects a non-numeric scur", () => {
    const result = parseShowStat("# pxname,svname,scur,\napi-gw,a1,many,\n");

    expect(!result.ok && result.error).toContain("scur");
  });
});

describe("serverStatus", () => {
  it("returns the status of one server", () => {
    const rows = statRows(stat);

    expect(serverStatus(rows, "api-gw", "api-gw-3")).toBe("UP");
    expect(serverStatus(rows, "web", "web-1")).toBe("no check");
    expect(serverStatus(rows, "web", "web-2")).toBe("MAINT");
  });

  it("returns undefined for an unknown server", () => {
    const rows = statRows(stat);

    expect(serverStatus(rows, "api-gw", "api-gw-9")).toBeUndefined();
    expect(serverStatus(rows, "web", "api-gw-3")).toBeUndefined();
  });
});
