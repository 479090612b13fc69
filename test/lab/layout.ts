import { join } from "node:path";

/** The lab's SSH hosts: two simulated Proxmox VE nodes and the HAProxy host. */
export const HOST_NAMES = ["pve1", "pve2", "lb1"] as const;
export type HostName = (typeof HOST_NAMES)[number];

/** The Proxmox VE nodes among the hosts. */
export const NODE_NAMES = ["pve1", "pve2"] as const;
export type NodeName = (typeof NODE_NAMES)[number];

/** The services the lab runs behind HAProxy. */
export const SERVICE_NAMES = ["api-gw", "crm-web"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The port every lab sshd listens on. */
export const SSH_PORT = 2222;

/** The port every container app listens on, inside its own address. */
export const APP_PORT = 8080;

/** The port of HAProxy's `listen stats` section. */
export const STATS_PORT = 8404;

/** One running container the lab creates from a template at start. */
export interface ReplicaSpec {
  vmid: number;
  node: NodeName;
  hostname: string;
  /** Last octet of the container's address in its service subnet. */
  hostOctet: number;
}

/** One service: its template, subnet, HAProxy frontend port and starting replicas. */
export interface ServiceSpec {
  name: ServiceName;
  template: number;
  /** Third octet of the service's subnet, 127.N.<subnet>.0/24. */
  subnet: number;
  frontendPort: number;
  replicas: ReplicaSpec[];
}

/** The lab's services. Templates live on pve1, one replica runs on each node. */
export const SERVICES: readonly ServiceSpec[] = [
  {
    name: "api-gw",
    template: 9000,
    subnet: 10,
    frontendPort: 8080,
    replicas: [
      { vmid: 101, node: "pve1", hostname: "api-gw-1", hostOctet: 10 },
      { vmid: 102, node: "pve2", hostname: "api-gw-2", hostOctet: 11 },
    ],
  },
  {
    name: "crm-web",
    template: 9001,
    subnet: 11,
    frontendPort: 8081,
    replicas: [
      { vmid: 111, node: "pve1", hostname: "crm-web-1", hostOctet: 10 },
      { vmid: 112, node: "pve2", hostname: "crm-web-2", hostOctet: 11 },
    ],
  },
];

const HOST_OCTETS: Record<HostName, string> = { pve1: "20.11", pve2: "20.12", lb1: "20.21" };

/** Rejects a lab instance number that is not a valid second octet. */
export function validateNet(net: number): void {
  if (!Number.isInteger(net) || net < 0 || net > 255) {
    throw new Error(`invalid lab net ${net}: expected an integer from 0 to 255 (the second octet)`);
  }
}

/** Returns the loopback address of a lab host, 127.N.20.x. */
export function hostAddress(net: number, host: HostName): string {
  return `127.${net}.${HOST_OCTETS[host]}`;
}

/** Returns an address in a service's subnet, 127.N.<subnet>.<octet>. */
export function serviceAddress(net: number, service: ServiceSpec, octet: number): string {
  return `127.${net}.${service.subnet}.${octet}`;
}

/** Returns the `address:port` of a service's HAProxy frontend. */
export function frontendAddress(net: number, service: ServiceSpec): string {
  return `${hostAddress(net, "lb1")}:${service.frontendPort}`;
}

/** File and directory paths inside a lab's state directory. */
export interface LabPaths {
  stateDir: string;
  keysDir: string;
  clientKey: string;
  authorizedKeys: string;
  simDir: string;
  clusterDir: string;
  configPath: string;
  policyPath: string;
  labJson: string;
  hostDir(host: HostName): string;
  hostBin(host: HostName): string;
  haproxyConfig: string;
  haproxyPidFile: string;
  haproxySocket: string;
  haproxyLog: string;
}

/** Returns the layout of a lab state directory. `stateDir` must be absolute. */
export function labPaths(stateDir: string): LabPaths {
  const hostDir = (host: HostName) => join(stateDir, "hosts", host);
  const lb1 = hostDir("lb1");

  return {
    stateDir,
    keysDir: join(stateDir, "keys"),
    clientKey: join(stateDir, "keys", "id_ed25519"),
    authorizedKeys: join(stateDir, "keys", "authorized_keys"),
    simDir: join(stateDir, "sim"),
    clusterDir: join(stateDir, "cluster"),
    configPath: join(stateDir, "psa.yml"),
    policyPath: join(stateDir, "policies", "lab.yml"),
    labJson: join(stateDir, "lab.json"),
    hostDir,
    hostBin: (host) => join(hostDir(host), "bin"),
    haproxyConfig: join(lb1, "haproxy.cfg"),
    haproxyPidFile: join(lb1, "haproxy.pid"),
    haproxySocket: join(lb1, "admin.sock"),
    haproxyLog: join(lb1, "haproxy.log"),
  };
}
