import { insertServers, removeServers } from "../ops/haproxy-config.ts";
import { parseShowStat, showStat, socketArgv } from "../ops/haproxy-runtime.ts";
import { parsePctConfig, pctConfig, pctSet, replaceNet0Ip } from "../ops/pct.ts";
import { toCommandLine } from "../ops/shell-quote.ts";
import type { KeyedMutex } from "./keyed-mutex.ts";
import type {
  ConfigEditStep,
  ExecStep,
  SetNet0IpStep,
  SocketStep,
  Step,
  WaitDrainedStep,
  WaitHealthyStep,
  WaitServerStep,
} from "./plan.ts";
import type { Clock, CommandResult, CommandRunner } from "./ports.ts";
import { judgeExit, resultOf, type StepResult } from "./step-result.ts";

/** What a step needs to run. */
export interface StepDeps {
  runner: CommandRunner;
  clock: Clock;
  /** Serializes edits of one file on one host. */
  fileLocks: KeyedMutex;
  /** Pause between polls of waiting steps. */
  pollIntervalMs: number;
  /** Tells a waiting step to give up early, because the run was cancelled. */
  shouldStop?: () => boolean;
}

/** Waits between retries of a command refused because its container is locked. */
const LOCK_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];

/** Runs one step and judges it. Expected failures are results, not exceptions. */
export function executeStep(step: Step, deps: StepDeps): Promise<StepResult> {
  switch (step.kind) {
    case "exec":
      return runExec(step, deps);
    case "socket":
      return runSocket(step, deps);
    case "set-net0-ip":
      return runSetNet0Ip(step, deps);
    case "wait-healthy":
      return runWaitHealthy(step, deps);
    case "wait-drained":
    case "wait-server":
      return runWaitStat(step, deps);
    case "config-edit":
      return deps.fileLocks.run(`${step.host}:${step.path}`, () => runConfigEdit(step, deps));
  }
}

async function runExec(step: ExecStep, deps: StepDeps): Promise<StepResult> {
  const started = Date.now();
  let command = await deps.runner.run(step.host, step.argv, { timeoutMs: step.timeoutMs });

  // Proxmox VE holds a lock on a template while it is cloned ("CT is locked (disk)"); another
  // clone of the same template succeeds once that lock is released.
  for (const delay of step.retryLocked ? LOCK_RETRY_DELAYS_MS : []) {
    if (command.exitCode === 0 || !/\bis locked\b/.test(command.stderr)) break;
    await deps.clock.sleep(delay);
    command = await deps.runner.run(step.host, step.argv, { timeoutMs: step.timeoutMs });
  }
  return resultOf(step, command, started, judgeExit(command));
}

async function runSocket(step: SocketStep, deps: StepDeps): Promise<StepResult> {
  const started = Date.now();
  const command = await sendSocket(deps.runner, step.host, step.socket, step.line, step.timeoutMs);
  return resultOf(
    step,
    { ...command, commandLine: `${step.line} > ${step.socket}` },
    started,
    judgeReply(step, command),
  );
}

/** HAProxy reports errors as text while socat exits 0, so the reply decides. */
function judgeReply(step: SocketStep, command: CommandResult): { ok: boolean; error?: string } {
  const exit = judgeExit(command);
  if (!exit.ok) return exit;

  const reply = command.stdout.trim();
  const ok = step.expect === "empty" ? reply === "" : reply.startsWith(step.expect);
  return ok ? { ok } : { ok, error: `HAProxy replied: ${reply || "(nothing)"}` };
}

function sendSocket(
  runner: CommandRunner,
  host: string,
  socket: string,
  line: string,
  timeoutMs: number,
) {
  return runner.run(host, socketArgv(socket), { stdin: `${line}\n`, timeoutMs });
}

async function runSetNet0Ip(step: SetNet0IpStep, deps: StepDeps): Promise<StepResult> {
  const started = Date.now();
  const read = await deps.runner.run(step.host, pctConfig(step.vmid), {
    timeoutMs: step.timeoutMs,
  });
  if (read.exitCode !== 0) return resultOf(step, read, started, judgeExit(read));

  // `pct set --net0` replaces the whole value, so the current one is read and only `ip=` changes:
  // gateway, firewall, VLAN tag and the clone's new MAC address stay as they are.
  const config = parsePctConfig(read.stdout);
  const net0 = config.ok ? config.config.networks.net0 : undefined;
  if (!net0)
    return resultOf(step, read, started, { ok: false, error: `CT ${step.vmid} has no net0` });
  const edited = replaceNet0Ip(net0, step.ipCidr);
  if (!edited.ok) return resultOf(step, read, started, { ok: false, error: edited.error });

  const write = await deps.runner.run(step.host, pctSet(step.vmid, { net0: edited.net0 }), {
    timeoutMs: step.timeoutMs,
  });
  const commandLine = `${read.commandLine} && ${write.commandLine}`;
  return resultOf(step, { ...write, commandLine }, started, judgeExit(write));
}

async function runWaitHealthy(step: WaitHealthyStep, deps: StepDeps): Promise<StepResult> {
  return poll(step, deps, async () => {
    const command = await deps.runner.run(step.host, step.argv, { timeoutMs: 5000 });
    return { command, done: command.exitCode === 0, error: "health check did not pass" };
  });
}

async function runWaitStat(
  step: WaitDrainedStep | WaitServerStep,
  deps: StepDeps,
): Promise<StepResult> {
  return poll(step, deps, async () => {
    const command = await sendSocket(deps.runner, step.host, step.socket, showStat(), 5000);
    const stat = parseShowStat(command.stdout);
    const row = stat.ok
      ? stat.rows.find((r) => r.pxname === step.backend && r.svname === step.server)
      : undefined;
    if (!row)
      return { command, done: false, error: `server ${step.backend}/${step.server} not found` };
    if (step.kind === "wait-drained") {
      return { command, done: Number(row.scur) === 0, error: `${row.scur} session(s) left` };
    }
    // A server added at run time reads UP before its first check has run, so a passed check
    // (L4OK, L6OK or L7OK) must back the status.
    const checked = /L[4-7]OK/.test(row.check_status);
    const done = row.status.startsWith(step.status) && checked;
    return {
      command,
      done,
      error: `status is ${row.status}, last check ${row.check_status || "none"}`,
    };
  });
}

interface PollAttempt {
  command: CommandResult;
  done: boolean;
  error: string;
}

async function poll(
  step: Step,
  deps: StepDeps,
  attempt: () => Promise<PollAttempt>,
): Promise<StepResult> {
  const started = Date.now();
  let last = await attempt();
  let cancelled = false;
  while (!last.done && Date.now() - started < step.timeoutMs) {
    cancelled = deps.shouldStop?.() ?? false;
    if (cancelled) break;
    await deps.clock.sleep(deps.pollIntervalMs);
    last = await attempt();
  }
  const waited = cancelled
    ? "cancelled while waiting"
    : `timed out after ${Math.round(step.timeoutMs / 1000)} s`;
  const error = last.done ? undefined : `${waited}: ${last.error}`;
  return resultOf(step, { ...last.command, timedOut: !last.done }, started, {
    ok: last.done,
    ...(error ? { error } : {}),
  });
}

async function runConfigEdit(step: ConfigEditStep, deps: StepDeps): Promise<StepResult> {
  const started = Date.now();
  const run = (argv: string[], stdin?: string) =>
    deps.runner.run(step.host, argv, {
      timeoutMs: step.timeoutMs,
      ...(stdin === undefined ? {} : { stdin }),
    });
  const read = await run(["cat", step.path]);
  if (read.exitCode !== 0) return resultOf(step, read, started, judgeExit(read));

  const candidate = editConfig(read.stdout, step);
  if (!candidate.ok) return resultOf(step, read, started, { ok: false, error: candidate.error });
  if (candidate.text === read.stdout) return resultOf(step, read, started, { ok: true });

  // Copy first so the candidate keeps the file's owner and mode, validate it, keep a backup,
  // then rename: a rename is atomic, so HAProxy never reads a half-written file.
  const next = `${step.path}.psa-new`;
  const sequence: Array<[string[], string?]> = [
    [["cp", "-p", step.path, next]],
    [["dd", `of=${next}`, "status=none"], candidate.text],
    [["haproxy", "-c", "-f", next]],
    [["cp", "-p", step.path, `${step.path}.psa-bak`]],
    [["mv", "-f", next, step.path]],
  ];
  const lines: string[] = [];
  let last = read;
  for (const [argv, stdin] of sequence) {
    last = await run(argv, stdin);
    lines.push(toCommandLine(argv));
    if (last.exitCode !== 0) {
      await run(["rm", "-f", next]);
      break;
    }
  }
  return resultOf(step, { ...last, commandLine: lines.join(" && ") }, started, judgeExit(last));
}

function editConfig(
  text: string,
  step: ConfigEditStep,
): { ok: true; text: string } | { ok: false; error: string } {
  const removed =
    step.remove.length > 0
      ? removeServers(text, step.backend, step.remove)
      : { ok: true as const, text };
  if (!removed.ok) return removed;
  if (step.add.length === 0) return removed;
  const lines = step.add.map((s) => ({
    name: s.name,
    address: s.ip,
    port: s.port,
    options: ["check"],
  }));
  return insertServers(removed.text, step.backend, lines);
}
