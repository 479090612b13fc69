/**
 * Error types of the Proxmox VE simulator.
 *
 * Proxmox VE 8 CLI tools (`pct`, `pvesh`) are Perl programs built on PVE::CLIHandler. An error
 * ends them through Perl's `die` or through `exit(-1)` after a failed worker task, so they exit
 * with status 255. Perl's `die` exits with the current errno instead when it is non-zero, so a
 * real node can also report other non-zero codes. Callers should only rely on "non-zero".
 */

/** Exit status of a failed `pct` or `pvesh` call. */
export const PVE_ERROR_EXIT = 255;

/** Exit status when the simulator itself is misconfigured (missing environment, bad cluster.json). */
export const SETUP_ERROR_EXIT = 2;

/** An error that the CLI prints to stderr verbatim before exiting with `exitCode`. */
export class PveError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = PVE_ERROR_EXIT) {
    super(message.endsWith("\n") ? message : `${message}\n`);
    this.name = "PveError";
    this.exitCode = exitCode;
  }
}

/** A broken simulator setup, such as a missing PSA_SIM_NODE; it exits with status 2. */
export class SetupError extends PveError {
  constructor(message: string) {
    super(message, SETUP_ERROR_EXIT);
    this.name = "SetupError";
  }
}
