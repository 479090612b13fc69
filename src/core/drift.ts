import type { LiveState } from "./live-state.ts";
import { replicasOf } from "./replicas.ts";

/**
 * Lists where Proxmox, `haproxy.cfg` and HAProxy's run-time state disagree about a service, and
 * where the inventory's template is missing. Each line says what differs and where.
 */
export function findDrift(
  live: LiveState,
  service: string,
  backend: string,
  template: number,
): string[] {
  const replicas = replicasOf(live, service);
  const inConfig = new Map(live.config.servers.map((s) => [s.name, s]));
  const atRuntime = new Map(live.runtime.map((s) => [s.name, s]));
  const drift: string[] = [];

  const templateCt = live.containers.find((ct) => ct.vmid === template);
  if (!templateCt) drift.push(`inventory: template CT ${template} does not exist in the cluster`);
  else if (!templateCt.template) drift.push(`inventory: CT ${template} is not a template`);

  for (const ct of replicas) {
    const name = ct.hostname ?? `CT ${ct.vmid}`;
    const configured = inConfig.get(name);
    const running = atRuntime.get(name);
    if (!configured)
      drift.push(`${name} (CT ${ct.vmid}) is not in backend ${backend} of haproxy.cfg`);
    else if (ct.ip && configured.address !== ct.ip)
      drift.push(`${name}: haproxy.cfg says ${configured.address}, the container has ${ct.ip}`);
    if (!running)
      drift.push(`${name} (CT ${ct.vmid}) is not in HAProxy's run-time state of ${backend}`);
    else if (ct.ip && running.address !== ct.ip)
      drift.push(`${name}: HAProxy runs it at ${running.address}, the container has ${ct.ip}`);
    if (running && /^(MAINT|DRAIN)/.test(running.status))
      drift.push(`${name} is in ${running.status} in HAProxy, so it gets no new traffic`);
    if (ct.status !== "running")
      drift.push(`${name} (CT ${ct.vmid}) is ${ct.status} on ${ct.node}`);
  }

  const names = new Set(replicas.map((ct) => ct.hostname));
  for (const server of live.config.servers) {
    if (!names.has(server.name))
      drift.push(`server ${server.name} in haproxy.cfg has no container of ${service}`);
    if (!atRuntime.has(server.name))
      drift.push(
        `server ${server.name} is in haproxy.cfg but not running in HAProxy (reload needed?)`,
      );
  }
  for (const server of live.runtime) {
    if (!names.has(server.name))
      drift.push(`server ${server.name} runs in HAProxy but has no container of ${service}`);
    if (!inConfig.has(server.name))
      drift.push(
        `server ${server.name} runs in HAProxy but is not in haproxy.cfg (a reload would drop it)`,
      );
  }
  return drift;
}
