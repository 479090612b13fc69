import type { ContainerInfo, LiveState } from "./live-state.ts";

/** The Proxmox tag on every container the bot created. */
export const MANAGED_TAG = "psa-managed";

/** Lists a service's replicas: its tagged containers, never the template. */
export function replicasOf(live: LiveState, service: string): ContainerInfo[] {
  return live.containers.filter((ct) => !ct.template && ct.tags.includes(service));
}

/** Reads N from a replica hostname `SVC-N`, or undefined for other names. */
export function replicaIndex(hostname: string | undefined, service: string): number | undefined {
  const match = hostname?.match(/^(.+)-(\d+)$/);
  return match && match[1] === service ? Number(match[2]) : undefined;
}

/**
 * Orders the replicas scale-in may remove: bot-managed ones only, newest first. The bot numbers
 * hostnames upwards, so the highest N is the newest; the CT id breaks ties.
 */
export function removableReplicas(live: LiveState, service: string): ContainerInfo[] {
  return replicasOf(live, service)
    .filter((ct) => ct.tags.includes(MANAGED_TAG))
    .sort(
      (a, b) =>
        (replicaIndex(b.hostname, service) ?? -1) - (replicaIndex(a.hostname, service) ?? -1) ||
        b.vmid - a.vmid,
    );
}
