/** What one remote command did: the same shape whether it passed or failed. */
export interface CommandResult {
  host: string;
  commandLine: string;
  /** Exit code, or null when the command was killed by a signal or timed out. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** Options of one remote command. */
export interface CommandOptions {
  stdin?: string;
  timeoutMs: number;
}

/** Runs argument vectors on named hosts. The SSH adapter implements it. */
export interface CommandRunner {
  /** Connects to each host and checks its pinned key, so a mismatch stops a run early. */
  verifyHosts(hosts: string[]): Promise<void>;
  run(host: string, argv: string[], options: CommandOptions): Promise<CommandResult>;
}

/** The time source, injected so tests and expiry logic agree on "now". */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The subset of pino's logger the core uses. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  child(bindings: object): Logger;
}

/** A clock on the system time. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
