import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";

describe("documented examples", () => {
  it("validate except for the key file", async () => {
    const result = await loadConfig("psa.example.yml");

    const problems = result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
    expect(problems).toEqual([
      "hosts.pve1.keyFile: key file /etc/psa/keys/id_ed25519 not found",
      "hosts.pve2.keyFile: key file /etc/psa/keys/id_ed25519 not found",
      "hosts.lb1.keyFile: key file /etc/psa/keys/id_ed25519 not found",
    ]);
  });
});
