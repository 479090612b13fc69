import { spawn } from "node:child_process";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ensurePackages, type LabStatus, labStatus, startLab, stopLab } from "./lab.ts";
import { HOST_NAMES } from "./layout.ts";
import { readLabRecord } from "./record.ts";
import { runSlackMode } from "./slack-mode.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CONSOLE_USER = "U0LABSRE1";

const USAGE = `usage: node bin/lab.js <up|status|down|console|slack> [console args...]
  up       install missing packages, start the lab (or show the running one)
  status   show processes, containers and HAProxy servers; exit 1 when down
  down     stop every lab process
  console  start the lab if needed, then run the bot's console as ${CONSOLE_USER}
  slack    start the lab if needed, then run the Slack bot against a local Slack stand-in and
           show what Slack receives for each /psa command or click typed in (help lists them)
environment:
  PSA_LAB_DIR  state directory (default: .lab in the repository root)
  PSA_LAB_NET  instance number 0-255, the second octet of every address (default: 0)
`;

const print = (line = "") => process.stdout.write(`${line}\n`);
const printError = (line: string) => process.stderr.write(`${line}\n`);

function labSettings(): { stateDir: string; net: number } {
  const stateDir = resolve(process.env.PSA_LAB_DIR ?? join(REPO_ROOT, ".lab"));
  const netText = process.env.PSA_LAB_NET ?? "0";
  const net = Number(netText);

  if (!/^\d+$/.test(netText) || net > 255) {
    throw new Error(`invalid PSA_LAB_NET "${netText}": expected an integer from 0 to 255`);
  }
  return { stateDir, net };
}

function printStatus(status: LabStatus): void {
  print(
    `lab ${status.up ? "up" : "down"}${status.net !== undefined ? ` (net ${status.net})` : ""} in ${status.stateDir}`,
  );
  for (const entry of status.processes) {
    const pid = entry.pid !== undefined ? ` pid ${entry.pid}` : "";
    print(
      `  ${entry.name.padEnd(11)} ${entry.up ? "up  " : "down"}${pid}${entry.listen ? `  ${entry.listen}` : ""}`,
    );
  }
  for (const ct of status.containers) {
    const kind = ct.template ? "template" : ct.status;
    print(
      `  CT ${String(ct.vmid).padEnd(5)} ${ct.node}  ${ct.name.padEnd(18)} ${kind.padEnd(8)} ${ct.ip ?? ""}`,
    );
  }
  for (const server of status.haproxyServers) {
    print(
      `  haproxy ${`${server.backend}/${server.server}`.padEnd(20)} ${server.address.padEnd(18)} ${server.status}`,
    );
  }
  for (const error of status.errors) {
    print(`  error: ${error}`);
  }
}

async function printAccess(stateDir: string): Promise<void> {
  const record = await readLabRecord(join(stateDir, "lab.json"));
  if (!record) {
    return;
  }
  const key = relative(process.cwd(), record.clientKey);
  const knownHosts = join(relative(process.cwd(), dirname(record.clientKey)), "known_hosts");

  print();
  for (const host of HOST_NAMES) {
    const { address, port } = record.hosts[host];
    print(
      `  ssh -i ${key} -o UserKnownHostsFile=${knownHosts} -p ${port} root@${address}   # ${host}`,
    );
  }
  for (const [service, address] of Object.entries(record.haproxy.frontends)) {
    print(`  curl http://${address}/   # ${service} through HAProxy`);
  }
  print(`  HAProxy stats: http://${record.haproxy.stats}/`);
  print(`config: ${relative(process.cwd(), record.configPath)}`);
  print(
    "next: npm run lab   (the bot's console as an SRE; node bin/lab.js console ARGS passes ARGS on)",
  );
  print("      npm run lab:slack   (the Slack bot against a local Slack stand-in)");
}

async function up(): Promise<number> {
  const { stateDir, net } = labSettings();
  await ensurePackages(print);

  const before = await labStatus(stateDir);
  if (before.up) {
    print("lab already up");
  } else {
    await startLab({ stateDir, net, log: print });
  }
  printStatus(await labStatus(stateDir));
  await printAccess(stateDir);
  return 0;
}

async function status(): Promise<number> {
  const { stateDir } = labSettings();
  const current = await labStatus(stateDir);

  printStatus(current);
  return current.up ? 0 : 1;
}

async function down(): Promise<number> {
  const { stateDir } = labSettings();
  await stopLab(stateDir);

  const after = await labStatus(stateDir);
  const running = after.processes.filter((entry) => entry.up).map((entry) => entry.name);
  if (running.length > 0) {
    printError(`still running: ${running.join(", ")}`);
    return 1;
  }
  print(`lab stopped in ${stateDir}`);
  return 0;
}

async function runConsole(args: string[]): Promise<number> {
  const { stateDir, net } = labSettings();
  await ensurePackages(printError);
  const lab = await startLab({ stateDir, net });

  const bot = join(REPO_ROOT, "bin", "psa-bot.js");
  const argv = [bot, "console", "--config", lab.configPath, "--as", CONSOLE_USER, ...args];
  // The console keeps its requests in the lab's PostgreSQL, as a production bot would.
  const env = { ...process.env, DATABASE_URL: lab.databaseUrl };
  const child = spawn(process.execPath, argv, { stdio: "inherit", env });
  return new Promise((resolveExit) => {
    child.on("exit", (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
    child.on("error", (error) => {
      printError(`cannot run ${bot}: ${error.message}`);
      resolveExit(1);
    });
  });
}

async function runSlack(): Promise<number> {
  const { stateDir, net } = labSettings();
  await ensurePackages(printError);
  const lines = createInterface({ input: process.stdin, terminal: false });
  // The iterator exists before the lab starts, so lines typed or piped in meanwhile are kept.
  const input = lines[Symbol.asyncIterator]();
  const interrupted = new AbortController();
  // Ctrl-C ends the session as end of input does, so the bot and the stand-in are stopped.
  const interrupt = () => {
    interrupted.abort();
    lines.close();
  };
  process.once("SIGINT", interrupt);

  const prompt = (user: string, channel: string) =>
    process.stdout.write(`slack ${user} ${channel}> `);
  try {
    await runSlackMode({
      stateDir,
      net,
      lines: { [Symbol.asyncIterator]: () => input },
      write: print,
      signal: interrupted.signal,
      ...(process.stdin.isTTY ? { prompt } : {}),
    });
  } finally {
    process.off("SIGINT", interrupt);
    lines.close();
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case "up":
      return up();
    case "status":
      return status();
    case "down":
      return down();
    case "console":
      return runConsole(rest);
    case "slack":
      return runSlack();
    default:
      process.stderr.write(USAGE);
      return 1;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  printError(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
