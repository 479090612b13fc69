import { z } from "zod";

const name = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "must be lower case letters, digits and -");
const ipv4 = z.ipv4({ message: "must be an IPv4 address" });
const fingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "must be an OpenSSH SHA256 fingerprint (SHA256:...)");
const absolutePath = z
  .string()
  .regex(
    /^\/[A-Za-z0-9._/-]+$/,
    "must be an absolute path of letters, digits, '.', '_', '-' and '/'",
  );
const userId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,20}$/, "must be a Slack user id such as U012AB3CD");

/** One SSH host the bot runs commands on. */
export const hostSchema = z.strictObject({
  address: ipv4,
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Unix user name"),
  keyFile: z.string().min(1),
  fingerprint,
  /** Reloads HAProxy on this host when the run-time API alone cannot apply a change. */
  reloadCommand: z.string().min(1).optional(),
});

/** One Proxmox VE node and the SSH host that reaches it. */
export const nodeSchema = z.strictObject({ host: name });

/** Where a service's HAProxy backend lives. */
export const haproxySchema = z.strictObject({
  host: name,
  socket: absolutePath,
  backend: name,
  config: absolutePath,
});

/** A scalable service: its template container, addresses and load balancer. */
export const serviceSchema = z.strictObject({
  template: z.number().int().min(100).max(999999999),
  ipPool: z.strictObject({
    first: ipv4,
    last: ipv4,
    prefixLength: z.number().int().min(8).max(32),
  }),
  port: z.number().int().min(1).max(65535),
  healthPath: z.string().regex(/^\/[A-Za-z0-9._/-]*$/, "must be a URL path such as /health"),
  haproxy: haproxySchema,
  autoscaler: name.optional(),
});

/** Settings with defaults that fit a small cluster. */
export const settingsSchema = z.strictObject({
  stepTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
  healthTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
  drainTimeoutSeconds: z.number().int().min(1).max(86400).default(300),
  requestTtlMinutes: z.number().int().min(1).max(1440).default(30),
  maxSessionsPerHost: z.number().int().min(1).max(10).default(8),
  /** How long a replica's locks outlive it: another replica takes over after this. */
  leaseTtlSeconds: z.number().int().min(3).max(600).default(30),
});

/** The whole `psa.yml` inventory. */
export const inventorySchema = z.strictObject({
  settings: settingsSchema.default(settingsSchema.parse({})),
  hosts: z.record(name, hostSchema),
  proxmox: z.strictObject({
    nodes: z.record(name, nodeSchema),
    /** Where the cluster file system is mounted; every node sees all nodes' configs there. */
    configDir: absolutePath.default("/etc/pve"),
  }),
  services: z.record(name, serviceSchema),
});

/** A change window: local days and hours in an IANA time zone such as Europe/Berlin. */
export const windowSchema = z.strictObject({
  days: z.array(z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])).min(1),
  from: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "must be a time HH:MM"),
  to: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "must be a time HH:MM"),
  timeZone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
});

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** One rule of a role policy. Anything no rule allows is denied. */
export const ruleSchema = z.strictObject({
  name,
  /** `freeze` allows both freeze and unfreeze. */
  action: z.enum(["scale", "status", "freeze"]),
  services: z.array(z.union([name, z.literal("*")])).min(1),
  requesters: z.array(name).min(1),
  approval: z
    .strictObject({
      required: z.boolean().default(true),
      approvers: z.array(name).default([]),
      count: z.number().int().min(1).max(10).default(1),
      selfApproval: z.boolean().default(false),
    })
    .default({ required: true, approvers: [], count: 1, selfApproval: false }),
  /** The rule allows only inside one of these windows; without any, at all times. */
  windows: z.array(windowSchema).default([]),
  limits: z
    .strictObject({
      maxStep: z.number().int().min(1).optional(),
      minReplicas: z.number().int().min(0).optional(),
      maxReplicas: z.number().int().min(1).optional(),
    })
    .default({}),
});

/** One `policies/*.yml` file: roles mapped to Slack user ids, and rules. */
export const policyFileSchema = z.strictObject({
  roles: z.record(name, z.array(userId)).default({}),
  /** Slack channel ids where /psa is accepted; none means every channel. */
  channels: z
    .array(z.string().regex(/^[CG][A-Z0-9]{2,20}$/, "must be a Slack channel id such as C012AB3CD"))
    .optional(),
  rules: z.array(ruleSchema).default([]),
});

export type HostConfig = z.infer<typeof hostSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type Settings = z.infer<typeof settingsSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type PolicyFile = z.infer<typeof policyFileSchema>;

/** All policy files merged: roles are unions of their members across files. */
export interface Policy {
  roles: Record<string, string[]>;
  rules: PolicyRule[];
  /** Channels where /psa is accepted, from every policy file; empty means every channel. */
  channels?: string[];
}
