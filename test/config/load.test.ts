import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { formatProblem } from "../../src/config/problems.ts";

const FINGERPRINT = `SHA256:${"x".repeat(43)}`;

const INVENTORY = `settings:
  stepTimeoutSeconds: 60
hosts:
  pve1:
    address: 127.0.0.11
    port: 2222
    user: root
    keyFile: key
    fingerprint: ${FINGERPRINT}
  lb1:
    address: 127.0.0.21
    user: root
    keyFile: key
    fingerprint: ${FINGERPRINT}
proxmox:
  nodes:
    pve1:
      host: pve1
services:
  api-gw:
    template: 9000
    ipPool:
      first: 127.0.10.10
      last: 127.0.10.20
      prefixLength: 24
    port: 8080
    healthPath: /health
    haproxy:
      host: lb1
      socket: /run/haproxy/admin.sock
      backend: api-gw
      config: /etc/haproxy/haproxy.cfg
`;

const POLICY = `roles:
  sre: [U0SRE1, U0SRE2]
rules:
  - name: sre-scale
    action: scale
    services: [api-gw]
    requesters: [sre]
    approval:
      approvers: [sre]
`;

async function configDir(inventory: string, policy = POLICY): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "psa-config-"));
  await mkdir(join(dir, "policies"));
  await writeFile(join(dir, "psa.yml"), inventory);
  await writeFile(join(dir, "policies", "team.yml"), policy);
  await writeFile(join(dir, "key"), "not a real key\n");
  return dir;
}

async function problems(inventory: string, policy = POLICY): Promise<string[]> {
  const dir = await configDir(inventory, policy);
  const result = await loadConfig(join(dir, "psa.yml"));
  return result.ok ? [] : result.problems.map((p) => formatProblem(p).replace(`${dir}/`, ""));
}

describe("loadConfig", () => {
  it("accepts a valid config with defaults", async () => {
    const dir = await configDir(INVENTORY);

    const result = await loadConfig(join(dir, "psa.yml"));

    expect(result.ok).toBe(true);
    expect(result.ok && result.config.inventory.hosts.lb1?.port).toBe(22);
    expect(result.ok && result.config.inventory.settings.requestTtlMinutes).toBe(30);
    expect(result.ok && result.config.keyFiles.pve1).toBe(join(dir, "key"));
  });

  it("names file, line and field of a bad address", async () => {
    expect(await problems(INVENTORY.replace("127.0.0.21", "127.0.0.300"))).toEqual([
      "psa.yml:11: hosts.lb1.address: must be an IPv4 address",
    ]);
  });

  it("points at an unknown field", async () => {
    expect(await problems(INVENTORY.replace("    port: 8080", "    prot: 8080"))).toEqual([
      "psa.yml:20: services.api-gw.port: Invalid input: expected number, received undefined",
      'psa.yml:26: services.api-gw.prot: unknown field "prot"; check the spelling',
    ]);
  });

  it("reports an unknown host reference", async () => {
    expect(await problems(INVENTORY.replace("      host: lb1", "      host: lb9"))).toEqual([
      'psa.yml:29: services.api-gw.haproxy.host: unknown host "lb9"; hosts are pve1, lb1',
    ]);
  });

  it("reports a missing key file", async () => {
    const result = await problems(
      INVENTORY.replace("    keyFile: key\n    fingerprint", "    keyFile: nokey\n    fingerprint"),
    );

    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^psa\.yml:8: hosts\.pve1\.keyFile: key file .*nokey not found$/);
  });

  it("reports invalid YAML with its line", async () => {
    expect(await problems(`${INVENTORY}  bad: [\n`)).toEqual([
      expect.stringMatching(/^psa\.yml:34: \(yaml\): invalid YAML/),
    ]);
  });

  it("reports an unknown role in a rule", async () => {
    expect(
      await problems(INVENTORY, POLICY.replace("requesters: [sre]", "requesters: [ops]")),
    ).toEqual([
      'policies/team.yml:7: rules.0.requesters: unknown role "ops"; define it under roles',
    ]);
  });

  it("rejects a bad Slack user id", async () => {
    expect(await problems(INVENTORY, POLICY.replace("U0SRE2", "bob"))).toEqual([
      "policies/team.yml:2: roles.sre.1: must be a Slack user id such as U012AB3CD",
    ]);
  });

  it("reports an approval count no role can reach", async () => {
    const policy = POLICY.replace(
      "      approvers: [sre]",
      "      approvers: [sre]\n      count: 3",
    );

    expect(await problems(INVENTORY, policy)).toEqual([
      "policies/team.yml:10: rules.0.approval.count: needs 3 approvals, but the approver roles have 2 member(s); no request could ever be approved",
    ]);
  });

  it("reports only a missing inventory file", async () => {
    const result = await loadConfig("/nonexistent/psa.yml");

    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      "/nonexistent/psa.yml:1: (file): file not found",
    ]);
  });
});
