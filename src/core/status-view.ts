import type { BotDeps } from "./bot-deps.ts";
import { findDrift } from "./drift.ts";
import { describeFreeze, freezesOf } from "./freezes.ts";
import { readLiveState } from "./live-state.ts";
import { replicasOf } from "./replicas.ts";

/** Renders replicas, their health in HAProxy, and drift, for each named service. */
export async function renderStatus(deps: BotDeps, services: string[]): Promise<string> {
  const sections = await Promise.all(services.map((service) => serviceStatus(deps, service)));
  const notes = (await freezesOf(deps.store, services)).map((f) => `Frozen: ${describeFreeze(f)}`);
  return [...sections, ...notes].join("\n\n");
}

async function serviceStatus(deps: BotDeps, service: string): Promise<string> {
  const config = deps.inventory.services[service]!;
  const live = await readLiveState(deps.runner, deps.inventory, service);
  const replicas = replicasOf(live, service).sort((a, b) => a.vmid - b.vmid);
  const up = live.runtime.filter((s) => s.status.startsWith("UP")).length;

  const lines = [
    `${service}: ${replicas.length} replica(s), ${up} UP in HAProxy backend ${config.haproxy.backend}`,
  ];
  for (const ct of replicas) {
    const server = live.runtime.find((s) => s.name === ct.hostname);
    const haproxy = server
      ? `HAProxy ${server.status}, ${server.sessions} session(s)`
      : "not in HAProxy";
    const managed = ct.tags.includes("psa-managed") ? ", bot-managed" : "";
    lines.push(
      `  ${ct.hostname ?? "?"}  CT ${ct.vmid}  ${ct.node}  ${ct.status}  ${ct.ip ?? "no IP"}  ${haproxy}${managed}`,
    );
  }

  const drift = findDrift(live, service, config.haproxy.backend, config.template);
  lines.push(drift.length === 0 ? "  no drift" : `  drift (${drift.length}):`);
  for (const item of drift) lines.push(`    - ${item}`);
  return lines.join("\n");
}
