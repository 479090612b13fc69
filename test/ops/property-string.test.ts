import { describe, expect, it } from "vitest";
import { formatPropertyList, parsePropertyList } from "../../src/ops/property-string.ts";

describe("parsePropertyList", () => {
  it("keeps entries in order", () => {
    const result = parsePropertyList("name=eth0,bridge=vmbr0,ip=10.20.0.5/24,type=veth");

    expect(result).toEqual({
      ok: true,
      entries: [
        { key: "name", value: "eth0" },
        { key: "bridge", value: "vmbr0" },
        { key: "ip", value: "10.20.0.5/24" },
        { key: "type", value: "veth" },
      ],
    });
  });

  it("reads a default-key item", () => {
    const result = parsePropertyList("local-lvm:vm-105-disk-0,size=8G");

    expect(result.ok && result.entries[0]).toEqual({ key: null, value: "local-lvm:vm-105-disk-0" });
  });

  it("keeps = inside a value", () => {
    const result = parsePropertyList("mountoptions=a=b");

    expect(result.ok && result.entries).toEqual([{ key: "mountoptions", value: "a=b" }]);
  });

  it.each([
    ["empty item", "name=eth0,,ip=dhcp"],
    ["trailing comma", "name=eth0,"],
    ["empty string", ""],
    ["duplicate key", "ip=dhcp,ip=10.0.0.1/24"],
    ["two default items", "a,b"],
    ["quoted value", 'name="eth0"'],
    ["empty value", "name="],
    ["invalid key", "na me=eth0"],
  ])("rejects %s", (_case, text) => {
    const result = parsePropertyList(text);

    expect(result.ok).toBe(false);
  });
});

describe("formatPropertyList", () => {
  it("round-trips a parsed net0", () => {
    const net0 = "name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:5E:7A:01,ip=dhcp,type=veth";
    const parsed = parsePropertyList(net0);

    const text = parsed.ok ? formatPropertyList(parsed.entries) : "";

    expect(text).toBe(net0);
  });

  it("writes a default-key item bare", () => {
    const text = formatPropertyList([
      { key: null, value: "local-lvm:vm-105-disk-0" },
      { key: "size", value: "8G" },
    ]);

    expect(text).toBe("local-lvm:vm-105-disk-0,size=8G");
  });

  it.each([
    { key: "ip", value: "a,b" },
    { key: "ip", value: "" },
    { key: "ip", value: "a b" },
    { key: "bad key", value: "x" },
    { key: null, value: "a=b" },
  ])("rejects entry %j", (entry) => {
    expect(() => formatPropertyList([entry])).toThrow(RangeError);
  });
});
