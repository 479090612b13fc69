import { runCommand } from "./process.ts";

/** Debian 12 packages the lab runs for real, and why each one is needed. */
const REQUIRED_PACKAGES: Record<string, string> = {
  "openssh-server": "sshd for each lab host (pve1, pve2, lb1)",
  haproxy: "the load balancer on lb1",
  socat: "HAProxy's admin socket client on lb1",
  curl: "health checks the bot runs on lb1",
  "postgresql-15": "the PostgreSQL server of the bot's durable store",
};

async function isInstalled(name: string): Promise<boolean> {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format syntax, not JS.
    const result = await runCommand("dpkg-query", ["-W", "-f=${Status}", name]);
    return result.stdout.trim() === "install ok installed";
  } catch {
    return false;
  }
}

/**
 * Installs the missing lab packages with `apt-get update` and `apt-get install -y`, logging what
 * it installs and why. Does nothing when all are installed. Installing needs root.
 */
export async function ensurePackages(log: (line: string) => void): Promise<void> {
  const names = Object.keys(REQUIRED_PACKAGES);
  const installed = await Promise.all(names.map(isInstalled));
  const missing = names.filter((_, index) => !installed[index]);

  if (missing.length === 0) {
    return;
  }

  for (const name of missing) {
    log(`installing ${name}: ${REQUIRED_PACKAGES[name]}`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing packages ${missing.join(", ")}: run "sudo apt-get install -y ${missing.join(" ")}" and retry`,
    );
  }

  // NOTE: unless /usr/sbin/policy-rc.d denies it, Debian's maintainer scripts also start the
  // system sshd on port 22, HAProxy with /etc/haproxy/haproxy.cfg and the PostgreSQL cluster
  // 15/main on localhost:5432. The lab uses none of them.
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await runCommand("apt-get", ["update"], { env, timeoutMs: 600_000 });
  await runCommand("apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    env,
    timeoutMs: 600_000,
  });
  log(`installed ${missing.join(", ")}`);
}
