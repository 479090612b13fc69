import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { quoteArg, toCommandLine } from "../../src/ops/shell-quote.ts";

/** Runs a command line through /bin/sh and returns the arguments that printf received. */
function argsSeenByShell(commandLine: string): string[] {
  const output = execFileSync("/bin/sh", ["-c", commandLine], { encoding: "utf8" });
  return output.split("\0").slice(0, -1);
}

const hostile = [
  "",
  " ",
  "a b",
  "; rm -rf /",
  "$(id)",
  "`id`",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion is the input.
  "${HOME}",
  "$HOME",
  "it's",
  "'",
  "''",
  '"double"',
  "line1\nline2",
  "tab\there",
  "back\\slash",
  "*",
  "~root",
  "{a,b}",
  "a|b&c>d<e",
  "!event",
  "#comment",
  "-n",
  "ünïcödé",
];

describe("quoteArg", () => {
  it("leaves plain arguments bare", () => {
    const plain = [
      "pct",
      "9000",
      "--hostname",
      "api-gw-3",
      "ip=10.0.0.5/24,gw=10.0.0.1",
      "a@b:c%d+e",
    ];

    const quoted = plain.map(quoteArg);

    expect(quoted).toEqual(plain);
  });

  it("quotes the empty string", () => {
    expect(quoteArg("")).toBe("''");
  });

  it("escapes embedded single quotes", () => {
    expect(quoteArg("it's")).toBe("'it'\\''s'");
  });

  it("wraps metacharacters in single quotes", () => {
    expect(quoteArg("$(id)")).toBe("'$(id)'");
    expect(quoteArg("`id`")).toBe("'`id`'");
    expect(quoteArg("a;b")).toBe("'a;b'");
  });

  it("rejects NUL bytes", () => {
    expect(() => quoteArg("a\0b")).toThrow(RangeError);
  });

  it.each(hostile)("survives the shell unchanged: %j", (arg) => {
    const commandLine = toCommandLine(["printf", "%s\\0", arg]);

    const seen = argsSeenByShell(commandLine);

    expect(seen).toEqual([arg]);
  });
});

describe("toCommandLine", () => {
  it("joins quoted arguments with spaces", () => {
    const line = toCommandLine(["pct", "set", "105", "--description", "new web node"]);

    expect(line).toBe("pct set 105 --description 'new web node'");
  });

  it("quotes a command word with =", () => {
    const line = toCommandLine(["FOO=bar", "x"]);

    expect(line).toBe("'FOO=bar' x");
  });

  it("passes every hostile argument at once", () => {
    const commandLine = toCommandLine(["printf", "%s\\0", ...hostile]);

    const seen = argsSeenByShell(commandLine);

    expect(seen).toEqual(hostile);
  });

  it("rejects an empty vector", () => {
    expect(() => toCommandLine([])).toThrow(RangeError);
  });
});
