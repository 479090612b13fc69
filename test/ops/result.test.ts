import { describe, expect, it } from "vitest";
import { fail, quoteLine, splitOutputLines } from "../../src/ops/result.ts";

describe("splitOutputLines", () => {
  it("drops trailing empty lines", () => {
    expect(splitOutputLines("a\nb\n\n  \n")).toEqual(["a", "b"]);
  });

  it("splits CRLF", () => {
    expect(splitOutputLines("a\r\nb\r\n")).toEqual(["a", "b"]);
  });

  it("keeps inner empty lines", () => {
    expect(splitOutputLines("a\n\nb")).toEqual(["a", "", "b"]);
  });

  it("returns no lines for empty output", () => {
    expect(splitOutputLines("")).toEqual([]);
  });
});

describe("quoteLine", () => {
  it("quotes as JSON", () => {
    expect(quoteLine('say "hi"')).toBe('"say \\"hi\\""');
  });

  it("cuts long lines", () => {
    expect(quoteLine("x".repeat(200))).toBe(`"${"x".repeat(117)}..."`);
  });
});

describe("fail", () => {
  it("builds a failure", () => {
    expect(fail("broken")).toEqual({ ok: false, error: "broken" });
  });
});
