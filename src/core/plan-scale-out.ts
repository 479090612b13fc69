import type { Inventory } from "../config/schema.ts";
import {
  addServer,
  delServer,
  enableHealth,
  enableServer,
  setServerState,
} from "../ops/haproxy-runtime.ts";
import { healthCheckArgv } from "../ops/health.ts";
import { firstFreeIps, ipRange } from "../ops/ip-pool.ts";
import { pctClone, pctDestroy, pctSet, pctStart, pctStop } from "../ops/pct.ts";
import type { ContainerInfo, LiveState } from "./live-state.ts";
import type { Reservation, ServerEntry, Step } from "./plan.ts";
import type { PlanOutcome } from "./plan-scale.ts";
import { MANAGED_TAG, replicaIndex, replicasOf } from "./replicas.ts";
import { checkConfigStep, StepFactory } from "./step-factory.ts";

/** Seconds one health check may take before it counts as failed. */
const HEALTH_CHECK_SECONDS = 2;

/** A new replica: where it goes and what it is called. */
interface NewReplica {
  vmid: number;
  name: string;
  ip: string;
  node: string;
}

/** Inputs of a scale-out plan. */
export interface ScaleOutInput {
  inventory: Inventory;
  service: string;
  live: LiveState;
  count: number;
  reservedByOthers: Reservation[];
  own?: Reservation;
}

/** Plans clone, network, start, health and HAProxy steps for `count` new replicas. */
export function planScaleOut(input: ScaleOutInput): PlanOutcome {
  const { inventory, service, live } = input;
  const config = inventory.services[input.service]!;
  const template = live.containers.find((ct) => ct.vmid === config.template);
  if (!template?.template) {
    return refuse(
      "template_missing",
      `template CT ${config.template} of ${service} is not a template in the cluster; check services.${service}.template`,
    );
  }
  if (live.balance === "source") {
    return refuse(
      "balance_static",
      `backend ${config.haproxy.backend} uses "balance source", which refuses servers added at run time; switch it to roundrobin, leastconn or random`,
    );
  }

  const placed = input.own ? reclaim(live, input.own) : placeReplicas(input, template);
  if ("code" in placed) return { ok: false, ...placed };
  const steps = buildSteps(inventory, service, template, placed);
  return {
    ok: true,
    steps,
    reservation: toReservation(placed),
    summary: `scale ${service} out by ${placed.length}: ${placed.map((r) => `${r.name} (CT ${r.vmid}, ${r.ip}, ${r.node})`).join(", ")}`,
  };
}

function placeReplicas(input: ScaleOutInput, template: ContainerInfo): NewReplica[] | Refusal {
  const { inventory, service, live, count, reservedByOthers } = input;
  const config = inventory.services[service]!;

  // An address HAProxy already routes to is taken too, even without a container behind it.
  const usedIps = new Set([
    ...live.containers.flatMap((ct) => (ct.ip ? [ct.ip] : [])),
    ...live.config.servers.map((s) => s.address),
    ...live.runtime.map((s) => s.address),
    ...reservedByOthers.flatMap((r) => r.ips),
  ]);
  const pool = ipRange(config.ipPool.first, config.ipPool.last);
  const free = pool.ok ? firstFreeIps(pool.ips, usedIps, count) : pool;
  if (!free.ok) {
    return {
      code: "no_ip",
      message: `no room in the IP pool of ${service} (${config.ipPool.first}–${config.ipPool.last}): ${free.error}. Widen services.${service}.ipPool or scale in first.`,
    };
  }
  const ips = free.ips;

  const vmids = freeVmids(live, reservedByOthers, count);
  const names = nextNames(live, service, reservedByOthers, count);
  const nodes = chooseNodes(input, template, count);
  if ("code" in nodes) return nodes;
  return vmids.map((vmid, i) => ({ vmid, name: names[i]!, ip: ips[i]!, node: nodes[i]! }));
}

function freeVmids(live: LiveState, reserved: Reservation[], count: number): number[] {
  const taken = new Set([
    ...live.containers.map((ct) => ct.vmid),
    ...reserved.flatMap((r) => r.vmids),
  ]);
  const ids: number[] = [];
  // Proxmox's own next id is the lowest free one from 100; reservations keep pending requests apart.
  for (let id = 100; ids.length < count; id++) if (!taken.has(id)) ids.push(id);
  return ids;
}

function nextNames(
  live: LiveState,
  service: string,
  reserved: Reservation[],
  count: number,
): string[] {
  const existing = [
    ...live.containers.map((ct) => ct.hostname),
    ...live.config.servers.map((s) => s.name),
    ...live.runtime.map((s) => s.name),
    ...reserved.flatMap((r) => r.names),
  ].map((name) => replicaIndex(name, service) ?? 0);
  const first = Math.max(0, ...existing) + 1;
  return Array.from({ length: count }, (_, i) => `${service}-${first + i}`);
}

function chooseNodes(
  input: ScaleOutInput,
  template: ContainerInfo,
  count: number,
): string[] | Refusal {
  const { inventory, service, live, reservedByOthers } = input;
  const spread = new Map<string, number>();
  const free = new Map<string, number>();
  for (const name of Object.keys(inventory.proxmox.nodes)) {
    const node = live.nodes.find((n) => n.name === name);
    if (node?.status !== "online") continue;
    spread.set(name, 0);
    free.set(name, node.maxmem - committedMemory(live, name));
  }
  for (const ct of replicasOf(live, service)) spread.set(ct.node, (spread.get(ct.node) ?? 0) + 1);
  for (const r of reservedByOthers) {
    r.nodes.forEach((node, i) => {
      free.set(node, (free.get(node) ?? 0) - template.maxmem);
      if (r.names[i] && replicaIndex(r.names[i], service) !== undefined)
        spread.set(node, (spread.get(node) ?? 0) + 1);
    });
  }

  const chosen: string[] = [];
  for (let i = 0; i < count; i++) {
    // Fewest replicas of this service first, so one node failure takes out as few as possible;
    // the node name breaks ties so that the same state always gives the same plan.
    const candidates = [...spread.keys()]
      .filter((node) => (free.get(node) ?? 0) >= template.maxmem)
      .sort((a, b) => (spread.get(a) ?? 0) - (spread.get(b) ?? 0) || a.localeCompare(b));
    const node = candidates[0];
    if (!node) return noCapacity(template, free);
    chosen.push(node);
    spread.set(node, (spread.get(node) ?? 0) + 1);
    free.set(node, (free.get(node) ?? 0) - template.maxmem);
  }
  return chosen;
}

/** Memory promised to running containers of a node: their configured maximum, not current use. */
function committedMemory(live: LiveState, node: string): number {
  return live.containers
    .filter((ct) => ct.node === node && !ct.template && ct.status === "running")
    .reduce((sum, ct) => sum + ct.maxmem, 0);
}

function noCapacity(template: ContainerInfo, free: Map<string, number>): Refusal {
  const mib = (bytes: number) => `${Math.max(0, Math.floor(bytes / 1048576))} MiB`;
  const nodes = [...free].map(([node, bytes]) => `${node}: ${mib(bytes)} free`).join(", ");
  return {
    code: "no_capacity",
    message: `no online Proxmox node has ${mib(template.maxmem)} of memory free for a new replica (${nodes || "no node online"})`,
  };
}

function buildSteps(
  inventory: Inventory,
  service: string,
  template: ContainerInfo,
  replicas: NewReplica[],
): Step[] {
  const config = inventory.services[service]!;
  const { host: lb, socket, backend } = config.haproxy;
  const factory = new StepFactory(inventory.settings);
  const steps: Step[] = [checkConfigStep(factory, config.haproxy)];
  const hostOf = (node: string) => inventory.proxmox.nodes[node]!.host;
  const templateHost = hostOf(template.node);

  for (const r of replicas) {
    const host = hostOf(r.node);
    const target = r.node === template.node ? undefined : r.node;
    steps.push(
      factory.step(
        {
          kind: "exec",
          title: `clone template CT ${template.vmid} to CT ${r.vmid} (${r.name}) on ${r.node}`,
          host: templateHost,
          argv: pctClone({ vmid: template.vmid, newid: r.vmid, hostname: r.name, target }),
          retryLocked: true,
        },
        [{ kind: "exec", title: `destroy CT ${r.vmid}`, host, argv: pctDestroy(r.vmid) }],
      ),
      factory.step({
        kind: "exec",
        title: `tag CT ${r.vmid}`,
        host,
        argv: pctSet(r.vmid, { tags: [service, MANAGED_TAG] }),
      }),
      factory.step({
        kind: "set-net0-ip",
        title: `set the IP of CT ${r.vmid} to ${r.ip}`,
        host,
        vmid: r.vmid,
        ipCidr: `${r.ip}/${config.ipPool.prefixLength}`,
      }),
      factory.step({ kind: "exec", title: `start CT ${r.vmid}`, host, argv: pctStart(r.vmid) }, [
        { kind: "exec", title: `stop CT ${r.vmid}`, host, argv: pctStop(r.vmid) },
      ]),
      factory.step({
        kind: "wait-healthy",
        title: `wait until ${r.name} is healthy`,
        host: lb,
        argv: healthCheckArgv(r.ip, config.port, config.healthPath, HEALTH_CHECK_SECONDS),
      }),
    );
  }
  for (const r of replicas) {
    const server = `${backend}/${r.name}`;
    steps.push(
      factory.step(
        {
          kind: "socket",
          title: `add server ${server} to HAProxy at run time`,
          host: lb,
          socket,
          line: addServer(backend, r.name, r.ip, config.port),
          expect: "New server registered.",
        },
        [
          {
            kind: "socket",
            title: `put ${server} in maintenance`,
            host: lb,
            socket,
            line: setServerState(backend, r.name, "maint"),
            expect: "empty",
          },
          {
            kind: "socket",
            title: `delete server ${server}`,
            host: lb,
            socket,
            line: delServer(backend, r.name),
            expect: "Server deleted.",
          },
        ],
      ),
      factory.step({
        kind: "socket",
        title: `enable health checks of ${server}`,
        host: lb,
        socket,
        line: enableHealth(backend, r.name),
        expect: "empty",
      }),
      factory.step({
        kind: "socket",
        title: `enable ${server}`,
        host: lb,
        socket,
        line: enableServer(backend, r.name),
        expect: "empty",
      }),
    );
  }
  const names = replicas.map((r) => r.name);
  const edit = { kind: "config-edit" as const, host: lb, path: config.haproxy.config, backend };
  steps.push(
    factory.step(
      {
        ...edit,
        title: `add ${names.join(", ")} to backend ${backend} in ${edit.path}`,
        add: replicas.map(toServerEntry(config.port)),
        remove: [],
      },
      // The undo removes exactly the inserted lines, so the file is as before, while edits of
      // other backends made in the meantime survive (a restored backup would drop them).
      [
        {
          ...edit,
          title: `remove ${names.join(", ")} from backend ${backend} in ${edit.path}`,
          add: [],
          remove: names,
        },
      ],
    ),
  );
  for (const r of replicas) {
    steps.push(
      factory.step({
        kind: "wait-server",
        title: `wait until ${backend}/${r.name} is UP in HAProxy`,
        host: lb,
        socket,
        backend,
        server: r.name,
        status: "UP",
      }),
    );
  }
  return steps;
}

function toServerEntry(port: number) {
  return (r: NewReplica): ServerEntry => ({ name: r.name, ip: r.ip, port });
}

function toReservation(replicas: NewReplica[]): Reservation {
  return {
    vmids: replicas.map((r) => r.vmid),
    ips: replicas.map((r) => r.ip),
    names: replicas.map((r) => r.name),
    nodes: replicas.map((r) => r.node),
  };
}

/** Takes back a request's reserved ids and addresses, if nothing in the cluster took them since. */
function reclaim(live: LiveState, reservation: Reservation): NewReplica[] | Refusal {
  for (const ct of live.containers) {
    if (reservation.vmids.includes(ct.vmid))
      return { code: "vmid_taken", message: `CT ${ct.vmid} now exists on ${ct.node}` };
    if (ct.ip && reservation.ips.includes(ct.ip))
      return { code: "ip_taken", message: `${ct.ip} is now used by CT ${ct.vmid}` };
    if (ct.hostname && reservation.names.includes(ct.hostname))
      return { code: "name_taken", message: `${ct.hostname} is now the hostname of CT ${ct.vmid}` };
  }
  const taken = [...live.config.servers, ...live.runtime].find((s) =>
    reservation.names.includes(s.name),
  );
  if (taken) return { code: "name_taken", message: `server ${taken.name} now exists in HAProxy` };
  return reservation.vmids.map((vmid, i) => ({
    vmid,
    name: reservation.names[i]!,
    ip: reservation.ips[i]!,
    node: reservation.nodes[i]!,
  }));
}

interface Refusal {
  code: string;
  message: string;
}

function refuse(code: string, message: string): PlanOutcome {
  return { ok: false, code, message };
}
