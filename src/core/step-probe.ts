import { parseServersState, showServersState, socketArgv } from "../ops/haproxy-runtime.ts";
import { pctConfig } from "../ops/pct.ts";
import type { BotDeps } from "./bot-deps.ts";
import type { Step } from "./plan.ts";

/** What a check of an interrupted step found: its effect is there, is not, or cannot be told. */
export type ProbeResult =
  | { state: "done" }
  | { state: "not_done" }
  | { state: "unknown"; reason: string };

/**
 * Checks whether an interrupted step took effect, so a resume neither repeats nor skips it.
 * Steps that are safe to repeat (setting a value, waiting, editing a file by server name) report
 * `not_done`, so they run again.
 */
export async function probeStep(deps: BotDeps, step: Step): Promise<ProbeResult> {
  if (step.kind === "socket") return probeSocket(deps, step);
  if (step.kind !== "exec" || step.argv[0] !== "pct") return { state: "not_done" };

  const [, verb, vmid] = step.argv;
  const target = verb === "clone" ? step.argv[3] : vmid;
  if (verb !== "clone" && verb !== "start" && verb !== "shutdown" && verb !== "destroy")
    return { state: "not_done" };

  // pct acts only on containers of its own node, so the container is looked up on every node.
  const configs = await Promise.all(
    Object.values(deps.inventory.proxmox.nodes).map(({ host }) =>
      deps.runner.run(host, pctConfig(Number(target)), { timeoutMs: step.timeoutMs }),
    ),
  );
  const found = configs.find((result) => result.exitCode === 0);
  if (verb === "clone") {
    if (!found) return { state: "not_done" };
    return /^lock: /m.test(found.stdout)
      ? {
          state: "unknown",
          reason: `CT ${target} exists but is still locked, as after an interrupted clone`,
        }
      : { state: "done" };
  }
  if (verb === "destroy") return found ? { state: "not_done" } : { state: "done" };
  return probePower(deps, step, Number(target), verb);
}

async function probePower(
  deps: BotDeps,
  step: Step,
  vmid: number,
  verb: "start" | "shutdown",
): Promise<ProbeResult> {
  const status = await deps.runner.run(step.host, ["pct", "status", String(vmid)], {
    timeoutMs: step.timeoutMs,
  });
  if (status.exitCode !== 0)
    return { state: "unknown", reason: `pct status ${vmid} failed: ${status.stderr.trim()}` };
  const running = /status:\s*running/.test(status.stdout);
  return running === (verb === "start") ? { state: "done" } : { state: "not_done" };
}

async function probeSocket(
  deps: BotDeps,
  step: Extract<Step, { kind: "socket" }>,
): Promise<ProbeResult> {
  const match = /^(add|del) server ([^/\s]+)\/(\S+)/.exec(step.line);
  if (!match) return { state: "not_done" };

  const [, verb, backend, server] = match;
  const reply = await deps.runner.run(step.host, socketArgv(step.socket), {
    stdin: `${showServersState(backend)}\n`,
    timeoutMs: step.timeoutMs,
  });
  const rows = parseServersState(reply.stdout);
  if (reply.exitCode !== 0 || !rows.ok)
    return { state: "unknown", reason: `cannot read the servers of ${backend}` };
  const present = rows.rows.some((row) => row.srv_name === server);
  return present === (verb === "add") ? { state: "done" } : { state: "not_done" };
}
