import { describe, expect, it } from "vitest";
import {
  firstFreeIps,
  ipRange,
  ipToNumber,
  MAX_POOL_SIZE,
  numberToIp,
} from "../../src/ops/ip-pool.ts";

describe("ipToNumber", () => {
  it("converts dotted quads", () => {
    expect(ipToNumber("0.0.0.0")).toBe(0);
    expect(ipToNumber("10.20.0.1")).toBe(0x0a140001);
    expect(ipToNumber("255.255.255.255")).toBe(0xffffffff);
  });

  it.each(["", "10.20.0", "10.20.0.1.5", "10.20.0.256", "10.20.0.01", "a.b.c.d", " 10.0.0.1"])(
    "rejects %j",
    (ip) => {
      expect(() => ipToNumber(ip)).toThrow(RangeError);
    },
  );
});

describe("numberToIp", () => {
  it("converts numbers back", () => {
    expect(numberToIp(0)).toBe("0.0.0.0");
    expect(numberToIp(0x0a140001)).toBe("10.20.0.1");
    expect(numberToIp(0xffffffff)).toBe("255.255.255.255");
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])("rejects %j", (value) => {
    expect(() => numberToIp(value)).toThrow(RangeError);
  });
});

describe("ipRange", () => {
  it("lists both ends", () => {
    expect(ipRange("10.20.0.254", "10.20.1.1")).toEqual({
      ok: true,
      ips: ["10.20.0.254", "10.20.0.255", "10.20.1.0", "10.20.1.1"],
    });
  });

  it("accepts a single address", () => {
    expect(ipRange("10.20.0.5", "10.20.0.5")).toEqual({ ok: true, ips: ["10.20.0.5"] });
  });

  it("accepts the maximum size", () => {
    const result = ipRange("10.20.0.0", "10.20.255.255");

    expect(result.ok && result.ips.length).toBe(MAX_POOL_SIZE);
  });

  it("rejects one address more", () => {
    const result = ipRange("10.20.0.0", "10.21.0.0");

    expect(result).toEqual({
      ok: false,
      error: "range 10.20.0.0-10.21.0.0 has 65537 addresses, more than 65536",
    });
  });

  it("rejects a reversed range", () => {
    const result = ipRange("10.20.0.9", "10.20.0.1");

    expect(!result.ok && result.error).toContain("comes before");
  });

  it("rejects invalid addresses", () => {
    expect(ipRange("10.20.0", "10.20.0.9").ok).toBe(false);
    expect(ipRange("10.20.0.1", "10.20.0.999").ok).toBe(false);
  });
});

describe("firstFreeIps", () => {
  const pool = ["10.20.0.10", "10.20.0.11", "10.20.0.12", "10.20.0.13"];

  it("skips used addresses in pool order", () => {
    const result = firstFreeIps(pool, new Set(["10.20.0.10", "10.20.0.12"]), 2);

    expect(result).toEqual({ ok: true, ips: ["10.20.0.11", "10.20.0.13"] });
  });

  it("returns nothing for a zero count", () => {
    expect(firstFreeIps(pool, new Set(), 0)).toEqual({ ok: true, ips: [] });
  });

  it("fails when the pool is short", () => {
    const result = firstFreeIps(pool, new Set(["10.20.0.10"]), 4);

    expect(result).toEqual({ ok: false, error: "the pool has 3 free addresses, 4 needed" });
  });

  it.each([-1, 1.5])("rejects count %j", (count) => {
    expect(firstFreeIps(pool, new Set(), count).ok).toBe(false);
  });
});
