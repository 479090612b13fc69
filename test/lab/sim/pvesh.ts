/**
 * Entry point of the simulated `pvesh` (Proxmox VE 8, pve-manager 8.x):
 * `PSA_SIM_NODE=pve1 PSA_SIM_CLUSTER=/path node pvesh.mjs get <api_path> [OPTIONS]`.
 */
import { runEntryPoint } from "./entry.ts";
import { runPvesh } from "./pvesh-main.ts";

await runEntryPoint("pvesh", runPvesh);
