import { describe, expect, it } from "vitest";
import {
  checkDnsName,
  checkNodeName,
  checkVmid,
  isIpv4,
  isPort,
  isRuntimeName,
} from "../../src/ops/validate.ts";

describe("validate", () => {
  it("accepts IPv4 addresses", () => {
    expect(isIpv4("127.0.10.12")).toBe(true);
    expect(isIpv4("0.0.0.0")).toBe(true);
  });

  it.each(["127.0.10", "127.0.10.1a", "127.0.010.1", "1.2.3.4/24", "::1"])(
    "rejects IPv4 %j",
    (ip) => {
      expect(isIpv4(ip)).toBe(false);
    },
  );

  it("checks ports", () => {
    expect(isPort(1)).toBe(true);
    expect(isPort(65535)).toBe(true);
    expect(isPort(0)).toBe(false);
    expect(isPort(80.5)).toBe(false);
  });

  it("checks runtime names", () => {
    expect(isRuntimeName("api-gw_2.b")).toBe(true);
    expect(isRuntimeName("api/gw")).toBe(false);
    expect(isRuntimeName("")).toBe(false);
  });

  it("returns a valid vmid as text", () => {
    expect(checkVmid(100)).toBe("100");
    expect(checkVmid(999_999_999)).toBe("999999999");
  });

  it.each([99, 1_000_000_000, 105.5])("rejects vmid %j", (vmid) => {
    expect(() => checkVmid(vmid)).toThrow("invalid vmid");
  });

  it("checks node and DNS names", () => {
    expect(checkNodeName("pve2")).toBe("pve2");
    expect(() => checkNodeName("pve2.example")).toThrow(RangeError);
    expect(checkDnsName("api-gw-3.lab", "hostname")).toBe("api-gw-3.lab");
    expect(() => checkDnsName("api_gw", "hostname")).toThrow(RangeError);
    expect(() => checkDnsName(`${"a".repeat(64)}`, "hostname")).toThrow(RangeError);
  });
});
