import { createHash } from "node:crypto";

/** Fields every step has: its id in the plan, a title for people, and the host it runs on. */
interface StepBase {
  id: string;
  title: string;
  host: string;
  timeoutMs: number;
  /** Steps that reverse this one, run in order when a later step fails. */
  undo: Step[];
}

/** Runs one command; success is exit code 0. */
export interface ExecStep extends StepBase {
  kind: "exec";
  argv: string[];
  /** Retries Proxmox's "CT is locked" refusals with backoff instead of failing at once. */
  retryLocked?: boolean;
}

/** Sends one command to HAProxy's admin socket and checks the text reply. */
export interface SocketStep extends StepBase {
  kind: "socket";
  socket: string;
  line: string;
  /** The reply that means success: nothing, or HAProxy's fixed confirmation text. */
  expect: "empty" | "New server registered." | "Server deleted.";
}

/** Reads a container's net0 and writes it back with only `ip=` changed. */
export interface SetNet0IpStep extends StepBase {
  kind: "set-net0-ip";
  vmid: number;
  ipCidr: string;
}

/** Polls a replica's health URL from the HAProxy host until it answers 2xx. */
export interface WaitHealthyStep extends StepBase {
  kind: "wait-healthy";
  /** One health check, run again until it passes or the step's time limit ends. */
  argv: string[];
}

/** Polls HAProxy until a server has no current sessions. */
export interface WaitDrainedStep extends StepBase {
  kind: "wait-drained";
  socket: string;
  backend: string;
  server: string;
}

/** Polls HAProxy until a server is in the expected state. */
export interface WaitServerStep extends StepBase {
  kind: "wait-server";
  socket: string;
  backend: string;
  server: string;
  status: "UP";
}

/** A server line to insert into a backend. */
export interface ServerEntry {
  name: string;
  ip: string;
  port: number;
}

/** Edits `haproxy.cfg` inside one backend, validates the candidate and swaps it in. */
export interface ConfigEditStep extends StepBase {
  kind: "config-edit";
  path: string;
  backend: string;
  add: ServerEntry[];
  remove: string[];
}

/** One step of a plan, keyed by kind. */
export type Step =
  | ExecStep
  | SocketStep
  | SetNet0IpStep
  | WaitHealthyStep
  | WaitDrainedStep
  | WaitServerStep
  | ConfigEditStep;

/** Ids, addresses and names a plan claims before it runs. */
export interface Reservation {
  vmids: number[];
  ips: string[];
  names: string[];
  nodes: string[];
}

/** A reviewed list of steps for one command, bound to the live state it was built from. */
export interface Plan {
  service: string;
  summary: string;
  currentReplicas: number;
  targetReplicas: number;
  steps: Step[];
  reservation: Reservation;
  /** Facts of the live state the steps rely on; a change in any of them voids the plan. */
  facts: string[];
  hash: string;
}

/** Computes the plan hash over everything that decides what runs. */
export function hashPlan(plan: Omit<Plan, "hash">): string {
  const material = JSON.stringify([plan.service, plan.steps, plan.reservation, plan.facts]);
  return createHash("sha256").update(material).digest("hex").slice(0, 16);
}

/** Lists every step of a plan, undo steps included, in running order. */
export function allSteps(steps: Step[]): Step[] {
  return steps.flatMap((step) => [step, ...allSteps(step.undo)]);
}
