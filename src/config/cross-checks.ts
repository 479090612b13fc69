import { access } from "node:fs/promises";
import { ipRange } from "../ops/ip-pool.ts";
import { type ConfigProblem, problemAt } from "./problems.ts";
import type { Inventory, PolicyFile } from "./schema.ts";

interface Source<T> {
  file: string;
  text: string;
  value: T;
}

/** Checks what the schema cannot: references between sections, pools and key files. */
export async function checkInventory(
  source: Source<Inventory>,
  keyFiles: Record<string, string>,
): Promise<ConfigProblem[]> {
  const { file, text, value } = source;
  const problems: ConfigProblem[] = [];
  const at = (path: PropertyKey[], message: string) =>
    problems.push(problemAt(file, text, path, message));
  const hostNames = Object.keys(value.hosts).join(", ");

  for (const [name, path] of Object.entries(keyFiles)) {
    if (!(await isReadable(path))) at(["hosts", name, "keyFile"], `key file ${path} not found`);
  }
  if (Object.keys(value.proxmox.nodes).length === 0) {
    at(["proxmox", "nodes"], "no Proxmox node defined; add at least one");
  }
  for (const [node, { host }] of Object.entries(value.proxmox.nodes)) {
    if (!value.hosts[host])
      at(["proxmox", "nodes", node, "host"], `unknown host "${host}"; hosts are ${hostNames}`);
  }
  checkServices(value, hostNames, at);
  return problems;
}

function checkServices(
  value: Inventory,
  hostNames: string,
  at: (path: PropertyKey[], message: string) => void,
): void {
  const pools: Array<{ service: string; ips: Set<string> }> = [];
  const templates = new Map<number, string>();

  for (const [service, config] of Object.entries(value.services)) {
    if (!value.hosts[config.haproxy.host]) {
      at(
        ["services", service, "haproxy", "host"],
        `unknown host "${config.haproxy.host}"; hosts are ${hostNames}`,
      );
    }
    const other = templates.get(config.template);
    if (other)
      at(
        ["services", service, "template"],
        `template ${config.template} is already used by ${other}`,
      );
    templates.set(config.template, service);

    const range = ipRange(config.ipPool.first, config.ipPool.last);
    if (!range.ok) {
      at(["services", service, "ipPool"], range.error);
      continue;
    }
    const ips = new Set(range.ips);
    const overlap = pools.find((pool) => range.ips.some((ip) => pool.ips.has(ip)));
    if (overlap) at(["services", service, "ipPool"], `overlaps the IP pool of ${overlap.service}`);
    pools.push({ service, ips });
  }
}

/** Checks that rules name roles and services that exist, and that rule names are unique. */
export function checkPolicies(files: Source<PolicyFile>[], inventory: Inventory): ConfigProblem[] {
  const roles = new Set(files.flatMap((file) => Object.keys(file.value.roles)));
  const services = new Set(Object.keys(inventory.services));
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];

  for (const { file, text, value } of files) {
    value.rules.forEach((rule, index) => {
      const at = (path: PropertyKey[], message: string) =>
        problems.push(problemAt(file, text, ["rules", index, ...path], message));
      if (seen.has(rule.name)) at(["name"], `rule name "${rule.name}" is used twice`);
      seen.add(rule.name);
      for (const role of [...rule.requesters, ...rule.approval.approvers]) {
        if (!roles.has(role))
          at(
            [rule.requesters.includes(role) ? "requesters" : "approval"],
            `unknown role "${role}"; define it under roles`,
          );
      }
      for (const service of rule.services) {
        if (service !== "*" && !services.has(service))
          at(["services"], `unknown service "${service}"`);
      }
      const approvers = new Set(
        rule.approval.approvers.flatMap((role) => files.flatMap((f) => f.value.roles[role] ?? [])),
      );
      if (
        rule.approval.required &&
        rule.approval.approvers.length > 0 &&
        approvers.size < rule.approval.count
      ) {
        at(
          ["approval", "count"],
          `needs ${rule.approval.count} approvals, but the approver roles have ${approvers.size} member(s); no request could ever be approved`,
        );
      }
      if (rule.approval.required && rule.approval.approvers.length === 0) {
        at(["approval", "approvers"], "approval is required but no approver role is named");
      }
      const { minReplicas, maxReplicas } = rule.limits;
      if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
        at(["limits"], `minReplicas ${minReplicas} is above maxReplicas ${maxReplicas}`);
      }
    });
  }
  return problems;
}

async function isReadable(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
