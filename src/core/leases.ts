import type { BotDeps } from "./bot-deps.ts";
import type { Plan } from "./plan.ts";

const RETRY_EVERY_MS = 1_000;

/** How long a lease lives without renewal; a dead replica's leases expire after this. */
export function leaseTtlMs(deps: BotDeps): number {
  return deps.inventory.settings.leaseTtlSeconds * 1000;
}

/** Names the leases a run holds: its service, and every container its commands touch. */
export function runLeaseNames(plan: Plan): string[] {
  const vmids = new Set<string>();
  for (const step of plan.steps) {
    if (step.kind === "exec" && step.argv[0] === "pct" && /^\d+$/.test(step.argv[2] ?? ""))
      vmids.add(step.argv[2]!);
    if (step.kind === "set-net0-ip") vmids.add(String(step.vmid));
  }
  return [`service:${plan.service}`, ...[...vmids].sort().map((vmid) => `ct:${vmid}`)];
}

/**
 * Runs `work` while holding every named lease, renewing them until it ends. Leases are taken in
 * name order, so two replicas that need overlapping sets cannot each hold what the other waits for.
 */
export async function withLeases<T>(
  deps: BotDeps,
  names: string[],
  onWait: (name: string, holder: string | undefined) => Promise<void>,
  work: () => Promise<T>,
): Promise<T> {
  const sorted = [...new Set(names)].sort();
  for (const name of sorted) await acquire(deps, name, onWait);

  // Renewing three times per lifetime lets two renewals fail before the lease lapses.
  const renewal = setInterval(() => {
    for (const name of sorted) {
      deps.store.acquireLease(name, deps.replicaId, leaseTtlMs(deps)).then(
        (held) => held || deps.logger.error({ lease: name }, "lease lost during a run"),
        (error: unknown) => deps.logger.warn({ err: error, lease: name }, "lease renewal failed"),
      );
    }
  }, leaseTtlMs(deps) / 3);
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await Promise.all(sorted.map((name) => deps.store.releaseLease(name, deps.replicaId)));
  }
}

async function acquire(
  deps: BotDeps,
  name: string,
  onWait: (name: string, holder: string | undefined) => Promise<void>,
) {
  let told = false;
  while (!(await deps.store.acquireLease(name, deps.replicaId, leaseTtlMs(deps)))) {
    if (!told) await onWait(name, await deps.store.leaseHolder(name));
    told = true;
    await deps.clock.sleep(RETRY_EVERY_MS);
  }
}
