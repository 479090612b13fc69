import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  balanceAlgorithm,
  findBackend,
  insertServers,
  listServers,
  removeServers,
  supportsDynamicServers,
} from "../../src/ops/haproxy-config.ts";

const HAPROXY = "/usr/sbin/haproxy";
const config = readFileSync(new URL("fixtures/haproxy.cfg", import.meta.url), "utf8");
const lines = config.split("\n");
const newServer = { name: "api-gw-3", address: "10.20.0.53", port: 8080 };

function edited(result: { ok: true; text: string } | { ok: false; error: string }): string {
  if (!result.ok) throw new Error(result.error);
  return result.text;
}

function servers(text: string, backend: string) {
  const result = listServers(text, backend);
  if (!result.ok) throw new Error(result.error);
  return result.servers;
}

/** Runs `haproxy -c` on the text and returns whether HAProxy accepts it. */
function haproxyAccepts(text: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), "psa-ops-"));
  try {
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, text);
    execFileSync(HAPROXY, ["-c", "-q", "-f", file], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("findBackend", () => {
  it("returns the section's line range", () => {
    const result = findBackend(config, "api-gw");

    expect(result).toEqual({
      ok: true,
      start: lines.indexOf("backend api-gw"),
      end: lines.indexOf("backend web"),
    });
  });

  it("finds a listen section", () => {
    const result = findBackend(config, "stats");

    expect(result.ok && result.start).toBe(lines.indexOf("listen stats"));
  });

  it("ends the last section at the last line", () => {
    const result = findBackend(config, "worker");

    expect(result.ok && result.end).toBe(lines.length - 1);
  });

  it("ends a section at an indented keyword", () => {
    const text = "backend a\n    server a1 10.0.0.1:80\n  backend b\n    server b1 10.0.0.2:80\n";

    const result = findBackend(text, "a");

    expect(result).toEqual({ ok: true, start: 0, end: 2 });
  });

  it("names a missing backend", () => {
    const result = findBackend(config, "payments");

    expect(result).toEqual({
      ok: false,
      error: "backend payments not found in the HAProxy config",
    });
  });

  it("rejects a backend defined twice", () => {
    const text = "backend a\n    server a1 10.0.0.1:80\nbackend a\n";

    const result = findBackend(text, "a");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("2 times");
  });

  it("does not match a frontend of that name", () => {
    const result = findBackend("frontend api-gw\n    bind :80\n", "api-gw");

    expect(result.ok).toBe(false);
  });
});

describe("listServers", () => {
  it("lists server lines with their ports", () => {
    const list = servers(config, "api-gw");

    expect(list).toEqual([
      { name: "api-gw-1", address: "10.20.0.51", port: 8080 },
      { name: "api-gw-2", address: "10.20.0.52", port: 8080 },
    ]);
  });

  it("returns no servers for an empty backend", () => {
    expect(servers(config, "web")).toEqual([]);
  });

  it("reads tab-indented servers", () => {
    expect(servers(config, "worker")).toEqual([
      { name: "worker-1", address: "10.20.2.10", port: 9000 },
    ]);
  });

  it("strips IPv6 brackets", () => {
    const text = "backend v6\n    server v6-1 [2001:db8::1]:443 check\n";

    expect(servers(text, "v6")).toEqual([{ name: "v6-1", address: "2001:db8::1", port: 443 }]);
  });

  it("rejects a server without a port", () => {
    const text = "backend a\n    server a1 10.0.0.1 check\n";

    const result = listServers(text, "a");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('"    server a1 10.0.0.1 check"');
  });

  it("rejects a server without an address", () => {
    const result = listServers("backend a\n    server a1\n", "a");

    expect(result.ok).toBe(false);
  });

  it("names a missing backend", () => {
    const result = listServers(config, "payments");

    expect(!result.ok && result.error).toContain("payments");
  });
});

describe("insertServers", () => {
  it("inserts after the last server line", () => {
    const text = edited(insertServers(config, "api-gw", [newServer]));

    const after = text.split("\n");
    const previous = after.indexOf("    server api-gw-2 10.20.0.52:8080 check  # on pve2");
    expect(after[previous + 1]).toBe("    server api-gw-3 10.20.0.53:8080 check");
  });

  it("changes no other line", () => {
    const text = edited(insertServers(config, "api-gw", [newServer]));

    const without = text.replace("    server api-gw-3 10.20.0.53:8080 check\n", "");
    expect(without).toBe(config);
  });

  it("keeps servers out of later sections", () => {
    const text = edited(insertServers(config, "api-gw", [newServer]));

    expect(servers(text, "api-gw").map((server) => server.name)).toEqual([
      "api-gw-1",
      "api-gw-2",
      "api-gw-3",
    ]);
    expect(servers(text, "worker")).toEqual(servers(config, "worker"));
    expect(servers(text, "stats")).toEqual([]);
  });

  it("inserts several servers in order", () => {
    const more = [newServer, { name: "api-gw-4", address: "10.20.0.54", port: 8080 }];

    const text = edited(insertServers(config, "api-gw", more));

    expect(servers(text, "api-gw").map((server) => server.name)).toEqual([
      "api-gw-1",
      "api-gw-2",
      "api-gw-3",
      "api-gw-4",
    ]);
  });

  it("places the first server before trailing blank lines", () => {
    const server = { name: "web-1", address: "10.20.1.10", port: 8080 };

    const text = edited(insertServers(config, "web", [server]));

    const after = text.split("\n");
    const start = after.indexOf("backend web");
    expect(after.slice(start, start + 5)).toEqual([
      "backend web",
      "    # no servers yet",
      "    option httpchk GET /",
      "    server web-1 10.20.1.10:8080 check",
      "",
    ]);
  });

  it("copies tab indentation", () => {
    const server = { name: "worker-2", address: "10.20.2.11", port: 9000 };

    const text = edited(insertServers(config, "worker", [server]));

    expect(text).toContain(
      "\tserver worker-1 10.20.2.10:9000 check\n\tserver worker-2 10.20.2.11:9000 check\n",
    );
  });

  it("keeps CRLF line endings", () => {
    const crlf = config.replaceAll("\n", "\r\n");

    const text = edited(insertServers(crlf, "api-gw", [newServer]));

    expect(text).toContain("  # on pve2\r\n    server api-gw-3 10.20.0.53:8080 check\r\n");
    expect(text.replace("    server api-gw-3 10.20.0.53:8080 check\r\n", "")).toBe(crlf);
  });

  it("keeps a missing final newline", () => {
    const text = "backend a\n    server a1 10.0.0.1:80 check";

    const result = insertServers(text, "a", [{ name: "a2", address: "10.0.0.2", port: 80 }]);

    expect(edited(result)).toBe(
      "backend a\n    server a1 10.0.0.1:80 check\n    server a2 10.0.0.2:80 check",
    );
  });

  it("indents like other directives when no server exists", () => {
    const text = "backend a\n  balance roundrobin\n\nbackend b\n";

    const result = insertServers(text, "a", [{ name: "a1", address: "10.0.0.1", port: 80 }]);

    expect(edited(result)).toBe(
      "backend a\n  balance roundrobin\n  server a1 10.0.0.1:80 check\n\nbackend b\n",
    );
  });

  it("inserts into a backend with only its keyword line", () => {
    const text = "backend a\nbackend b\n";

    const result = insertServers(text, "a", [{ name: "a1", address: "10.0.0.1", port: 80 }]);

    expect(edited(result)).toBe("backend a\n    server a1 10.0.0.1:80 check\nbackend b\n");
  });

  it("writes the given options", () => {
    const server = { ...newServer, options: ["check", "weight", "50"] };

    const text = edited(insertServers(config, "api-gw", [server]));

    expect(text).toContain("    server api-gw-3 10.20.0.53:8080 check weight 50\n");
  });

  it("leaves the text unchanged on a repeat", () => {
    const once = edited(insertServers(config, "api-gw", [newServer]));

    const twice = edited(insertServers(once, "api-gw", [newServer]));

    expect(twice).toBe(once);
  });

  it("skips a server already present with the same address", () => {
    const existing = { name: "api-gw-1", address: "10.20.0.51", port: 8080 };

    const text = edited(insertServers(config, "api-gw", [existing, newServer]));

    expect(servers(text, "api-gw")).toHaveLength(3);
  });

  it("rejects a known name with another address", () => {
    const moved = { name: "api-gw-1", address: "10.20.0.99", port: 8080 };

    const result = insertServers(config, "api-gw", [moved]);

    expect(result).toEqual({
      ok: false,
      error:
        "server api-gw-1 already exists in backend api-gw at 10.20.0.51:8080, not 10.20.0.99:8080",
    });
  });

  it("rejects a name listed twice", () => {
    const result = insertServers(config, "api-gw", [newServer, newServer]);

    expect(result.ok).toBe(false);
  });

  it.each([
    { name: "api gw", address: "10.20.0.53", port: 8080 },
    { name: "api-gw-3", address: "10.20.0.530", port: 8080 },
    { name: "api-gw-3", address: "10.20.0.53", port: 0 },
    { name: "api-gw-3", address: "10.20.0.53", port: 8080, options: ["check\nbackend evil"] },
    { name: "api-gw-3", address: "10.20.0.53", port: 8080, options: ["#"] },
  ])("rejects invalid server %j", (server) => {
    const result = insertServers(config, "api-gw", [server]);

    expect(result.ok).toBe(false);
  });

  it("names a missing backend", () => {
    const result = insertServers(config, "payments", [newServer]);

    expect(result).toEqual({
      ok: false,
      error: "backend payments not found in the HAProxy config",
    });
  });

  it.skipIf(!existsSync(HAPROXY))("produces a config that haproxy -c accepts", () => {
    const text = edited(
      insertServers(config, "web", [{ name: "web-1", address: "10.20.1.10", port: 80 }]),
    );

    expect(haproxyAccepts(text)).toBe(true);
    expect(haproxyAccepts(`${text}    server broken\n`)).toBe(false);
  });
});

describe("removeServers", () => {
  it("removes only the named server lines", () => {
    const text = edited(removeServers(config, "api-gw", ["api-gw-2"]));

    expect(text).toBe(config.replace("    server api-gw-2 10.20.0.52:8080 check  # on pve2\n", ""));
  });

  it("leaves other backends alone", () => {
    const text = "backend a\n    server x 10.0.0.1:80\nbackend b\n    server x 10.0.0.2:80\n";

    const result = removeServers(text, "b", ["x"]);

    expect(edited(result)).toBe("backend a\n    server x 10.0.0.1:80\nbackend b\n");
  });

  it("ignores absent names", () => {
    const text = edited(removeServers(config, "api-gw", ["api-gw-9"]));

    expect(text).toBe(config);
  });

  it("undoes an insert", () => {
    const inserted = edited(insertServers(config, "api-gw", [newServer]));

    const text = edited(removeServers(inserted, "api-gw", ["api-gw-3"]));

    expect(text).toBe(config);
  });

  it("keeps a missing final newline", () => {
    const text = "backend a\n    server a1 10.0.0.1:80\n    server a2 10.0.0.2:80";

    const result = removeServers(text, "a", ["a2"]);

    expect(edited(result)).toBe("backend a\n    server a1 10.0.0.1:80");
  });

  it("keeps CRLF line endings", () => {
    const crlf = config.replaceAll("\n", "\r\n");

    const text = edited(removeServers(crlf, "worker", ["worker-1"]));

    expect(text).toBe(crlf.replace("\tserver worker-1 10.20.2.10:9000 check\r\n", ""));
  });

  it("names a missing backend", () => {
    const result = removeServers(config, "payments", ["x"]);

    expect(result.ok).toBe(false);
  });
});

describe("balanceAlgorithm", () => {
  it("reads the backend's own balance line", () => {
    expect(balanceAlgorithm(config, "api-gw")).toEqual({ ok: true, algorithm: "roundrobin" });
  });

  it("inherits from the defaults section above", () => {
    expect(balanceAlgorithm(config, "web")).toEqual({ ok: true, algorithm: "leastconn" });
  });

  it("inherits from a named defaults section", () => {
    const text = [
      "defaults tuned",
      "    balance first",
      "defaults",
      "    balance leastconn",
      "backend a from tuned",
      "    server a1 10.0.0.1:80",
    ].join("\n");

    expect(balanceAlgorithm(text, "a")).toEqual({ ok: true, algorithm: "first" });
  });

  it("uses the last defaults section above the backend", () => {
    const text = "defaults\n  balance first\ndefaults\n  mode http\nbackend a\nbackend b\n";

    expect(balanceAlgorithm(text, "a")).toEqual({ ok: true, algorithm: undefined });
  });

  it("takes the last balance line", () => {
    const text = "backend a\n    balance source\n    balance random(2)\n";

    expect(balanceAlgorithm(text, "a")).toEqual({ ok: true, algorithm: "random(2)" });
  });

  it("returns undefined without any balance line", () => {
    const text = "backend a\n    server a1 10.0.0.1:80\n";

    expect(balanceAlgorithm(text, "a")).toEqual({ ok: true, algorithm: undefined });
  });

  it("rejects an unknown from section", () => {
    const result = balanceAlgorithm("backend a from nowhere\n", "a");

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("nowhere");
  });

  it("names a missing backend", () => {
    const result = balanceAlgorithm(config, "payments");

    expect(!result.ok && result.error).toContain("payments");
  });
});

describe("supportsDynamicServers", () => {
  it.each([
    ["roundrobin", true],
    ["leastconn", true],
    ["first", true],
    ["random", true],
    ["random(2)", true],
    [undefined, true],
    ["static-rr", false],
    ["source", false],
    ["uri", false],
    ["hdr(host)", false],
  ])("returns %s for %j", (algorithm, expected) => {
    expect(supportsDynamicServers(algorithm)).toBe(expected);
  });
});
