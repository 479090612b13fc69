import type { Inventory } from "../config/schema.ts";
import { addServer, delServer, enableHealth, setServerState } from "../ops/haproxy-runtime.ts";
import { pctDestroy, pctShutdown, pctStart } from "../ops/pct.ts";
import type { ContainerInfo, LiveState } from "./live-state.ts";
import type { Step } from "./plan.ts";
import type { PlanOutcome } from "./plan-scale.ts";
import { removableReplicas } from "./replicas.ts";
import { checkConfigStep, StepFactory } from "./step-factory.ts";

/** Seconds `pct shutdown` waits before giving up; Proxmox's own default is 60. */
const SHUTDOWN_TIMEOUT_SECONDS = 60;

/** Plans drain, removal from HAProxy, shutdown and destroy of the newest bot-managed replicas. */
export function planScaleIn(
  inventory: Inventory,
  service: string,
  live: LiveState,
  count: number,
): PlanOutcome {
  const removable = removableReplicas(live, service);
  if (removable.length < count) {
    return {
      ok: false,
      code: "not_managed",
      message: `only ${removable.length} replica(s) of ${service} were created by the bot (tag psa-managed); scale-in removes no others, so it cannot remove ${count}`,
    };
  }

  const chosen = removable.slice(0, count);
  return {
    ok: true,
    steps: buildSteps(inventory, service, live, chosen),
    reservation: { vmids: [], ips: [], names: [], nodes: [] },
    summary: `scale ${service} in by ${count}: remove ${chosen.map((ct) => `${ct.hostname} (CT ${ct.vmid}, ${ct.node})`).join(", ")}`,
  };
}

function buildSteps(
  inventory: Inventory,
  service: string,
  live: LiveState,
  chosen: ContainerInfo[],
): Step[] {
  const config = inventory.services[service]!;
  const { host: lb, socket, backend } = config.haproxy;
  const factory = new StepFactory(inventory.settings);
  const steps: Step[] = [checkConfigStep(factory, config.haproxy)];
  const atRuntime = chosen.flatMap((ct) => {
    const server = live.runtime.find((s) => s.name === ct.hostname);
    return server ? [{ ct, server }] : [];
  });

  for (const { server } of atRuntime) {
    const name = server.name;
    steps.push(
      factory.step(
        {
          kind: "socket",
          title: `drain ${backend}/${name}`,
          host: lb,
          socket,
          line: setServerState(backend, name, "drain"),
          expect: "empty",
        },
        [
          {
            kind: "socket",
            title: `set ${backend}/${name} ready`,
            host: lb,
            socket,
            line: setServerState(backend, name, "ready"),
            expect: "empty",
          },
        ],
      ),
    );
  }
  for (const { server } of atRuntime) {
    steps.push(
      factory.step({
        kind: "wait-drained",
        title: `wait until ${backend}/${server.name} has no sessions`,
        host: lb,
        socket,
        backend,
        server: server.name,
      }),
    );
  }
  for (const { server } of atRuntime) {
    const name = server.name;
    const ready = {
      kind: "socket" as const,
      title: `set ${backend}/${name} ready`,
      host: lb,
      socket,
      line: setServerState(backend, name, "ready"),
      expect: "empty" as const,
    };
    steps.push(
      factory.step(
        {
          kind: "socket",
          title: `put ${backend}/${name} in maintenance`,
          host: lb,
          socket,
          line: setServerState(backend, name, "maint"),
          expect: "empty",
        },
        [ready],
      ),
      factory.step(
        {
          kind: "socket",
          title: `delete server ${backend}/${name}`,
          host: lb,
          socket,
          line: delServer(backend, name),
          expect: "Server deleted.",
        },
        [
          {
            kind: "socket",
            title: `add server ${backend}/${name} back`,
            host: lb,
            socket,
            line: addServer(backend, name, server.address, server.port),
            expect: "New server registered.",
          },
          {
            kind: "socket",
            title: `enable health checks of ${backend}/${name}`,
            host: lb,
            socket,
            line: enableHealth(backend, name),
            expect: "empty",
          },
          {
            kind: "socket",
            title: `put ${backend}/${name} in maintenance`,
            host: lb,
            socket,
            line: setServerState(backend, name, "maint"),
            expect: "empty",
          },
        ],
      ),
    );
  }

  const inConfig = live.config.servers.filter((s) => chosen.some((ct) => ct.hostname === s.name));
  if (inConfig.length > 0) {
    const names = inConfig.map((s) => s.name);
    const entries = inConfig.map((s) => ({ name: s.name, ip: s.address, port: s.port }));
    const edit = { kind: "config-edit" as const, host: lb, path: config.haproxy.config, backend };
    steps.push(
      factory.step(
        {
          ...edit,
          title: `remove ${names.join(", ")} from backend ${backend} in ${edit.path}`,
          add: [],
          remove: names,
        },
        [
          {
            ...edit,
            title: `add ${names.join(", ")} back to backend ${backend} in ${edit.path}`,
            add: entries,
            remove: [],
          },
        ],
      ),
    );
  }

  // A stopped container needs no shutdown, and pct shutdown would fail on it.
  for (const ct of chosen.filter((c) => c.status === "running")) {
    const host = inventory.proxmox.nodes[ct.node]!.host;
    steps.push(
      factory.step(
        {
          kind: "exec",
          title: `shut down CT ${ct.vmid} (${ct.hostname})`,
          host,
          argv: pctShutdown(ct.vmid, SHUTDOWN_TIMEOUT_SECONDS),
        },
        [{ kind: "exec", title: `start CT ${ct.vmid} again`, host, argv: pctStart(ct.vmid) }],
      ),
    );
  }
  for (const ct of chosen) {
    const host = inventory.proxmox.nodes[ct.node]!.host;
    steps.push(
      factory.step({
        kind: "exec",
        title: `destroy CT ${ct.vmid} (${ct.hostname})`,
        host,
        argv: pctDestroy(ct.vmid),
      }),
    );
  }
  return steps;
}
