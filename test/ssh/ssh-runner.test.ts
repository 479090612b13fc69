import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPsaError } from "../../src/core/errors.ts";
import { fetchFingerprint } from "../../src/ssh/pin-host.ts";
import { SshRunner } from "../../src/ssh/ssh-runner.ts";
import { type LabBot, startLabBot } from "../support/lab-bot.ts";

let labBot: LabBot;

beforeAll(async () => {
  labBot = await startLabBot(84);
});

afterAll(async () => {
  await labBot?.close();
});

function runner(fingerprint?: string) {
  const hosts = structuredClone(labBot.hosts);
  if (fingerprint) hosts.pve1!.fingerprint = fingerprint;
  return new SshRunner({ hosts, logger: labBot.deps.logger, maxSessionsPerHost: 8 });
}

describe("SshRunner on the lab's sshd", () => {
  it("keeps exit code, stdout and stderr", async () => {
    const ssh = runner();

    const result = await ssh.run("pve1", ["sh", "-c", "echo out; echo err >&2; exit 3"], {
      timeoutMs: 5000,
    });
    ssh.close();

    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe("out\n");
    expect(result.stderr).toBe("err\n");
    expect(result.commandLine).toBe("sh -c 'echo out; echo err >&2; exit 3'");
  });

  it("passes arguments through unchanged", async () => {
    const ssh = runner();
    const hostile = "a b; rm -rf / $(id) `id` 'q' \"d\"";

    const result = await ssh.run("pve1", ["printf", "%s", hostile], { timeoutMs: 5000 });
    ssh.close();

    expect(result.stdout).toBe(hostile);
  });

  it("sends stdin", async () => {
    const ssh = runner();

    const result = await ssh.run("lb1", ["cat"], {
      stdin: "line one\nline two\n",
      timeoutMs: 5000,
    });
    ssh.close();

    expect(result.stdout).toBe("line one\nline two\n");
  });

  it("stops a command at its time limit", async () => {
    const ssh = runner();

    const result = await ssh.run("pve1", ["sleep", "30"], { timeoutMs: 1000 });
    ssh.close();

    expect(result.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it("queues sessions beyond the limit on one connection", async () => {
    const ssh = runner();

    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        ssh.run("pve2", ["sh", "-c", `sleep 0.2; echo ${i}`], { timeoutMs: 10_000 }),
      ),
    );
    ssh.close();

    expect(results.map((r) => r.exitCode)).toEqual(Array(24).fill(0));
    expect(results.map((r) => r.stdout.trim())).toEqual(
      Array.from({ length: 24 }, (_, i) => String(i)),
    );
  });

  it("rejects a wrong host key naming both fingerprints", async () => {
    const wrong = `SHA256:${"B".repeat(43)}`;
    const ssh = runner(wrong);

    const error = await ssh.verifyHosts(["pve1"]).catch((e: unknown) => e);
    ssh.close();

    expect(isPsaError(error, "host_key_mismatch")).toBe(true);
    expect((error as Error).message).toContain(wrong);
    expect((error as Error).message).toContain(labBot.lab.hosts.pve1.fingerprint);
  });

  it("reconnects after the connection closes", async () => {
    const ssh = runner();
    await ssh.run("pve1", ["true"], { timeoutMs: 5000 });
    ssh.close();

    const result = await ssh.run("pve1", ["echo", "again"], { timeoutMs: 5000 });
    ssh.close();

    expect(result.stdout).toBe("again\n");
  });

  it("fetches a fingerprint for pinning", async () => {
    const { address, port, fingerprint } = labBot.lab.hosts.lb1;

    expect(await fetchFingerprint(address, port)).toBe(fingerprint);
  });
});
