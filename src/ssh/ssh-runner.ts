import { readFile } from "node:fs/promises";
import { NodeSSH } from "node-ssh";
import type { ClientChannel } from "ssh2";
import { PsaError } from "../core/errors.ts";
import type { CommandOptions, CommandResult, CommandRunner, Logger } from "../core/ports.ts";
import { toCommandLine } from "../ops/shell-quote.ts";
import { fingerprintOf } from "./fingerprint.ts";
import { Semaphore } from "./semaphore.ts";

/** How to reach one host; `keyFile` is an absolute path. */
export interface SshHost {
  address: string;
  port: number;
  user: string;
  keyFile: string;
  fingerprint: string;
}

/** Settings of the SSH runner. */
export interface SshRunnerOptions {
  hosts: Record<string, SshHost>;
  logger: Logger;
  /** Sessions per connection at once; OpenSSH's MaxSessions defaults to 10. */
  maxSessionsPerHost: number;
  connectTimeoutMs?: number;
}

interface Connection {
  ssh: NodeSSH;
  ready: Promise<NodeSSH>;
}

/** Grace given to the remote `timeout` before the channel is closed from this side. */
const CHANNEL_GRACE_MS = 5000;

/**
 * Runs commands over SSH with node-ssh: one pinned, reused connection per host and a bounded
 * number of sessions on it. node-ssh accepts any host key unless given a verifier, so every
 * connection checks the SHA-256 fingerprint before authenticating.
 */
export class SshRunner implements CommandRunner {
  private readonly connections = new Map<string, Connection>();
  private readonly semaphores = new Map<string, Semaphore>();

  constructor(private readonly options: SshRunnerOptions) {}

  async verifyHosts(hosts: string[]): Promise<void> {
    await Promise.all([...new Set(hosts)].map((host) => this.connection(host)));
  }

  async run(host: string, argv: string[], options: CommandOptions): Promise<CommandResult> {
    const ssh = await this.connection(host);
    return this.semaphore(host).use(() => this.exec(ssh, host, argv, options));
  }

  /** Closes every connection. */
  close(): void {
    for (const { ssh } of this.connections.values()) ssh.dispose();
    this.connections.clear();
  }

  private async exec(
    ssh: NodeSSH,
    host: string,
    argv: string[],
    options: CommandOptions,
  ): Promise<CommandResult> {
    const commandLine = toCommandLine(argv);
    const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    // node-ssh has no per-command limit: the remote `timeout` stops the process, and the timer
    // below closes the channel if the host does not answer at all.
    const wrapped = toCommandLine(["timeout", "-k", "5", String(seconds), ...argv]);
    const started = Date.now();
    let channel: ClientChannel | undefined;
    let closedByTimer = false;
    const timer = setTimeout(() => {
      closedByTimer = true;
      channel?.close();
    }, options.timeoutMs + CHANNEL_GRACE_MS);

    try {
      const response = await ssh.execCommand(wrapped, {
        stdin: options.stdin,
        noTrim: true,
        onChannel: (opened) => {
          channel = opened;
        },
      });
      const timedOut = closedByTimer || response.code === 124 || response.code === 137;
      return {
        host,
        commandLine,
        exitCode: closedByTimer ? null : response.code,
        signal: response.signal,
        stdout: response.stdout,
        stderr: response.stderr,
        durationMs: Date.now() - started,
        timedOut,
      };
    } catch (error) {
      this.forget(host, ssh);
      throw new PsaError("ssh_channel_failed", `running a command on ${host} failed`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private semaphore(host: string): Semaphore {
    let semaphore = this.semaphores.get(host);
    if (!semaphore) {
      semaphore = new Semaphore(this.options.maxSessionsPerHost);
      this.semaphores.set(host, semaphore);
    }
    return semaphore;
  }

  private connection(host: string): Promise<NodeSSH> {
    const existing = this.connections.get(host);
    // An entry stays until its connection closes or fails, so callers share one handshake.
    if (existing) return existing.ready;

    const ssh = new NodeSSH();
    const ready = this.connect(ssh, host);
    this.connections.set(host, { ssh, ready });
    ready.catch(() => this.forget(host, ssh));
    return ready;
  }

  private async connect(ssh: NodeSSH, host: string): Promise<NodeSSH> {
    const config = this.options.hosts[host];
    if (!config) {
      throw new PsaError("ssh_connect_failed", `host ${host} is not in the inventory`);
    }

    const privateKey = await readFile(config.keyFile, "utf8");
    let offered: string | undefined;
    try {
      await ssh.connect({
        host: config.address,
        port: config.port,
        username: config.user,
        privateKey,
        readyTimeout: this.options.connectTimeoutMs ?? 10000,
        hostVerifier: (key: Buffer) => {
          offered = fingerprintOf(key);
          return offered === config.fingerprint;
        },
      });
    } catch (error) {
      if (offered !== undefined && offered !== config.fingerprint) {
        throw new PsaError(
          "host_key_mismatch",
          `host key of ${host} (${config.address}:${config.port}) does not match the pinned ` +
            `fingerprint: pinned ${config.fingerprint}, offered ${offered}. Nothing was run. ` +
            `If the host was rebuilt, review the key with "psa-bot pin-host ${host}".`,
          { cause: error },
        );
      }
      throw new PsaError(
        "ssh_connect_failed",
        `cannot connect to ${host} (${config.address}:${config.port}) as ${config.user}`,
        { cause: error },
      );
    }

    ssh.connection?.on("close", () => this.forget(host, ssh));
    ssh.connection?.on("error", (error) => {
      this.options.logger.warn({ host, err: error }, "ssh connection error");
    });
    this.options.logger.debug({ host }, "ssh connected");
    return ssh;
  }

  /** Drops a connection; a late failure of an older connection leaves a newer one alone. */
  private forget(host: string, ssh: NodeSSH): void {
    if (this.connections.get(host)?.ssh === ssh) this.connections.delete(host);
    ssh.dispose();
  }
}
