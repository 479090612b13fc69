/**
 * The `pvesh get /cluster/resources` read of Proxmox VE 8, which lists every guest and node of
 * the cluster from any one node.
 */
import { z } from "zod";
import { parseTags } from "./pct.ts";
import { fail, type OpsFailure } from "./result.ts";

/** A container or VM as `/cluster/resources` reports it. */
export interface Guest {
  type: "lxc" | "qemu";
  vmid: number;
  node: string;
  /** Host name of a container or name of a VM. Guests on an offline node may lack it. */
  name?: string;
  /** `running`, `stopped`, or `unknown` when the guest's node is offline. */
  status: string;
  /** CPU usage as a fraction of `maxcpu` cores, 0 when the node does not report it. */
  cpu: number;
  maxcpu: number;
  /** Memory in bytes. */
  mem: number;
  maxmem: number;
  tags: string[];
  template: boolean;
  lock?: string;
}

/** A cluster node as `/cluster/resources` reports it. */
export interface NodeResource {
  node: string;
  /** `online`, `offline` or `unknown`. */
  status: string;
  /** Memory in bytes. */
  mem: number;
  maxmem: number;
  maxcpu: number;
  /** CPU usage as a fraction of all cores. */
  cpu: number;
}

/** The result of `parseClusterResources`. */
export type ClusterResourcesResult =
  | { ok: true; guests: Guest[]; nodes: NodeResource[] }
  | OpsFailure;

// Nodes that are offline report guests and themselves without usage numbers, so they default
// to 0. Unknown fields are dropped.
const measure = z.number().nonnegative().default(0);

const guestSchema = z.object({
  type: z.enum(["lxc", "qemu"]),
  vmid: z.number().int().min(1),
  node: z.string().min(1),
  name: z.string().optional(),
  status: z.string().min(1),
  cpu: measure,
  maxcpu: measure,
  mem: measure,
  maxmem: measure,
  tags: z.string().default(""),
  template: z.union([z.literal(0), z.literal(1), z.boolean()]).default(0),
  lock: z.string().optional(),
});

const nodeSchema = z.object({
  type: z.literal("node"),
  node: z.string().min(1),
  status: z.string().min(1),
  cpu: measure,
  maxcpu: measure,
  mem: measure,
  maxmem: measure,
});

const entrySchema = z.looseObject({ type: z.string() });

/** Builds the command whose output `parseClusterResources` reads. */
export function clusterResourcesArgv(): string[] {
  return ["pvesh", "get", "/cluster/resources", "--output-format", "json"];
}

/**
 * Parses the JSON array of `pvesh get /cluster/resources --output-format json`. Storage, pool
 * and SDN entries are skipped. An entry of type lxc, qemu or node that lacks a required field
 * fails the whole parse, naming the entry.
 */
export function parseClusterResources(json: string): ClusterResourcesResult {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    return fail(`invalid JSON from pvesh: ${(error as Error).message}`);
  }

  const entries = z.array(entrySchema).safeParse(data);
  if (!entries.success) return fail("invalid cluster resources: expected an array of objects");

  return collectResources(entries.data);
}

function collectResources(entries: Array<{ type: string }>): ClusterResourcesResult {
  const guests: Guest[] = [];
  const nodes: NodeResource[] = [];

  for (const [index, entry] of entries.entries()) {
    if (entry.type === "node") {
      const node = nodeSchema.safeParse(entry);
      if (!node.success) return fail(describeIssue(index, entry, node.error));
      nodes.push(toNode(node.data));
    } else if (entry.type === "lxc" || entry.type === "qemu") {
      const guest = guestSchema.safeParse(entry);
      if (!guest.success) return fail(describeIssue(index, entry, guest.error));
      guests.push(toGuest(guest.data));
    }
  }

  return { ok: true, guests, nodes };
}

function toGuest(entry: z.infer<typeof guestSchema>): Guest {
  const { tags, template, lock, name, ...rest } = entry;
  const guest: Guest = { ...rest, tags: parseTags(tags), template: Boolean(template) };
  if (name !== undefined) guest.name = name;
  if (lock !== undefined) guest.lock = lock;
  return guest;
}

function toNode(entry: z.infer<typeof nodeSchema>): NodeResource {
  const { type: _type, ...node } = entry;
  return node;
}

function describeIssue(index: number, entry: object, error: z.ZodError): string {
  const id = "id" in entry && typeof entry.id === "string" ? ` (${entry.id})` : "";
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "entry";
  return `invalid cluster resource ${index}${id}: ${field}: ${issue?.message ?? "invalid"}`;
}
