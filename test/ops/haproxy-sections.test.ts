import { describe, expect, it } from "vitest";
import {
  contentEnd,
  dominantEol,
  joinConfigLines,
  listSections,
  splitConfigLines,
} from "../../src/ops/haproxy-sections.ts";

describe("splitConfigLines", () => {
  it.each([
    ["LF", "global\n    daemon\n"],
    ["CRLF", "global\r\n    daemon\r\n"],
    ["mixed", "global\r\n    daemon\n"],
    ["no final newline", "global\n    daemon"],
    ["empty", ""],
    ["blank lines", "\n\nglobal\n\n"],
  ])("round-trips %s text", (_case, text) => {
    expect(joinConfigLines(splitConfigLines(text))).toBe(text);
  });

  it("drops comments from words", () => {
    const [line] = splitConfigLines("    server a 10.0.0.1:80 check # primary\n");

    expect(line?.words).toEqual(["server", "a", "10.0.0.1:80", "check"]);
  });
});

describe("listSections", () => {
  it("lists sections with names and from", () => {
    const lines = splitConfigLines(
      "# header\nglobal\n  daemon\ndefaults tuned\nbackend api from tuned\n  server a 1.2.3.4:80\n",
    );

    expect(listSections(lines)).toEqual([
      { keyword: "global", start: 1, end: 3 },
      { keyword: "defaults", name: "tuned", start: 3, end: 4 },
      { keyword: "backend", name: "api", from: "tuned", start: 4, end: 6 },
    ]);
  });

  it("treats every 2.6 section keyword as a boundary", () => {
    const keywords = [
      "global",
      "defaults",
      "frontend f",
      "backend b",
      "listen l",
      "peers p",
      "resolvers r",
      "userlist u",
      "program p",
      "mailers m",
      "cache c",
      "ring r",
      "http-errors h",
      "log-forward l",
    ];

    const sections = listSections(splitConfigLines(keywords.join("\n")));

    expect(sections).toHaveLength(keywords.length);
  });
});

describe("contentEnd", () => {
  it("stops before trailing blank and comment lines", () => {
    const lines = splitConfigLines("backend a\n  balance first\n\n  # next\nbackend b\n");
    const [section] = listSections(lines);

    expect(contentEnd(lines, section!)).toBe(2);
  });
});

describe("dominantEol", () => {
  it("prefers CRLF when most lines use it", () => {
    expect(dominantEol(splitConfigLines("a\r\nb\r\nc\n"))).toBe("\r\n");
    expect(dominantEol(splitConfigLines("a"))).toBe("\n");
  });
});
