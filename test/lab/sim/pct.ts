/**
 * Entry point of the simulated `pct` (Proxmox VE 8, pve-container 5.x):
 * `PSA_SIM_NODE=pve1 PSA_SIM_CLUSTER=/path node pct.mjs <subcommand> [ARGS] [OPTIONS]`.
 */
import { runEntryPoint } from "./entry.ts";
import { runPct } from "./pct-main.ts";

await runEntryPoint("pct", runPct);
