import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { dump, load } from "js-yaml";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsoleReply } from "../../src/console/console-surface.ts";
import type { Store } from "../../src/core/store.ts";
import { createStore } from "../../src/store/create-store.ts";
import { type Lab, startLab, stopLab } from "../lab/lab.ts";
import { type BotProcess, startBotProcess } from "../support/bot-process.ts";

const NET = 87;
const STATE = `/tmp/psa-test-lab-${NET}`;
const LEASE_TTL_SECONDS = 4;
let lab: Lab;
let store: Store;
let configPath: string;
const processes: BotProcess[] = [];

/** A copy of the lab's config with short leases and a rule that needs two approvals. */
async function writeConfig(): Promise<string> {
  const dir = join(STATE, "replicas");
  await mkdir(join(dir, "policies"), { recursive: true });
  const inventory = load(await readFile(lab.configPath, "utf8")) as {
    settings: Record<string, unknown>;
    hosts: Record<string, { keyFile: string }>;
  };
  inventory.settings.leaseTtlSeconds = LEASE_TTL_SECONDS;
  for (const host of Object.values(inventory.hosts))
    host.keyFile = resolve(dirname(lab.configPath), host.keyFile);
  await writeFile(join(dir, "psa.yml"), dump(inventory));
  await writeFile(
    join(dir, "policies", "replicas.yml"),
    dump({
      roles: { sre: ["U0LABSRE1", "U0LABSRE2", "U0LABSRE3"] },
      rules: [
        {
          name: "api-gw-two",
          action: "scale",
          services: ["api-gw"],
          requesters: ["sre"],
          approval: { approvers: ["sre"], count: 2 },
        },
        {
          name: "crm-web-one",
          action: "scale",
          services: ["crm-web"],
          requesters: ["sre"],
          approval: { approvers: ["sre"], count: 1 },
        },
        {
          name: "status",
          action: "status",
          services: ["*"],
          requesters: ["sre"],
          approval: { required: false },
        },
      ],
    }),
  );
  return join(dir, "psa.yml");
}

function replica(): BotProcess {
  const bot = startBotProcess(configPath, "U0LABSRE1", {
    DATABASE_URL: lab.databaseUrl,
    PSA_LOG_LEVEL: "warn",
  });
  processes.push(bot);
  return bot;
}

const cardOf = (reply: ConsoleReply) => reply.kind === "card";
const ended = (id: string) => (reply: ConsoleReply) =>
  reply.requestId === id &&
  reply.kind === "card_update" &&
  ["succeeded", "failed", "undone", "undo_failed"].includes(reply.status ?? "");

beforeAll(async () => {
  await stopLab(STATE).catch(() => undefined);
  await rm(STATE, { recursive: true, force: true });
  lab = await startLab({ stateDir: STATE, net: NET });
  configPath = await writeConfig();
  store = await createStore({
    databaseUrl: lab.databaseUrl,
    dataDir: "",
    logger: pino({ level: "silent" }),
  });
});

afterAll(async () => {
  for (const bot of processes) bot.child.kill("SIGKILL");
  await store?.close();
  await stopLab(STATE);
});

describe("two bot replicas on one PostgreSQL", () => {
  it("starts one run when two votes arrive at once", async () => {
    const [a, b] = [replica(), replica()];
    a.send("/psa scale api-gw +1");
    const card = await a.waitFor(cardOf);
    const id = card.requestId!;

    a.send("as U0LABSRE2");
    b.send("as U0LABSRE3");
    a.send(`click approve ${id}`);
    b.send(`click approve ${id}`);
    await Promise.race([a.waitFor(ended(id), 90_000), b.waitFor(ended(id), 90_000)]);

    const request = await store.get(id);
    expect(request?.status).toBe("succeeded");
    expect(request?.votes.map((v) => v.userId).sort()).toEqual(["U0LABSRE2", "U0LABSRE3"]);
    const trail = await store.listAudit({ requestId: id, limit: 500 });
    expect(trail.filter((e) => e.kind === "run_started")).toHaveLength(1);
    expect(trail.filter((e) => e.kind === "vote")).toHaveLength(2);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("reports a run killed mid-step as interrupted and undoes it", async () => {
    const before = await snapshotContainers();
    const a = replica();
    a.send("/psa scale crm-web +1");
    const id = (await a.waitFor(cardOf)).requestId!;
    const vmid = (await store.get(id))!.reservation.vmids[0]!;
    await lab.injectFault({
      host: "*",
      command: `pct start ${vmid}`,
      exitCode: 1,
      stderr: "hung",
      hangSeconds: 20,
      remaining: 1,
    });
    a.send("as U0LABSRE2");
    a.send(`click approve ${id}`);
    await waitForJournal(id, (entries) => entries.some((e) => e.stepId === "5" && !e.endedAt));

    a.child.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, (LEASE_TTL_SECONDS + 1) * 1000));
    const c = replica();
    const interrupted = await c.waitFor(
      (r) => r.requestId === id && r.kind === "thread" && r.text.startsWith("Interrupted"),
    );
    c.send(`click undo ${id}`);
    await c.waitFor(ended(id), 90_000);
    await lab.clearFaults();

    expect(interrupted.text).toContain("during step 5 (start CT");
    expect((await store.get(id))?.status).toBe("undone");
    expect(await snapshotContainers()).toEqual(before);
    await c.stop();
  });

  it("lets the other replica take over a dead replica's lease", async () => {
    const a = replica();
    a.send("/psa scale crm-web +1");
    const first = (await a.waitFor(cardOf)).requestId!;
    const vmid = (await store.get(first))!.reservation.vmids[0]!;
    await lab.injectFault({
      host: "*",
      command: `pct start ${vmid}`,
      exitCode: 1,
      stderr: "hung",
      hangSeconds: 30,
      remaining: 1,
    });
    a.send("as U0LABSRE2");
    a.send(`click approve ${first}`);
    await waitForJournal(first, (entries) => entries.some((e) => e.stepId === "5" && !e.endedAt));

    const b = replica();
    b.send("/psa scale crm-web +1");
    const second = (await b.waitFor(cardOf)).requestId!;
    b.send("as U0LABSRE3");
    b.send(`click approve ${second}`);
    await b.waitFor(
      (r) =>
        r.requestId === second && r.kind === "thread" && r.text.startsWith("Waiting for lease "),
    );
    a.child.kill("SIGKILL");
    await b.waitFor(ended(second), 120_000);
    await lab.clearFaults();

    expect((await store.get(second))?.status).toBe("succeeded");
    await b.waitFor(
      (r) => r.requestId === first && r.kind === "thread" && r.text.startsWith("Interrupted"),
      30_000,
    );
    expect((await store.get(first))?.status).toBe("interrupted");
    await b.stop();
  });

  it("resumes a run killed mid-step after checking the step", async () => {
    const a = replica();
    a.send("/psa scale crm-web +1");
    const id = (await a.waitFor(cardOf)).requestId!;
    const vmid = (await store.get(id))!.reservation.vmids[0]!;
    await lab.injectFault({
      host: "*",
      command: `pct start ${vmid}`,
      exitCode: 1,
      stderr: "hung",
      hangSeconds: 20,
      remaining: 1,
    });
    a.send("as U0LABSRE2");
    a.send(`click approve ${id}`);
    await waitForJournal(id, (entries) => entries.some((e) => e.stepId === "5" && !e.endedAt));

    a.child.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, (LEASE_TTL_SECONDS + 1) * 1000));
    await lab.clearFaults();
    const c = replica();
    await c.waitFor(
      (r) => r.requestId === id && r.kind === "thread" && r.text.startsWith("Interrupted"),
    );
    c.send(`click resume ${id}`);
    await c.waitFor(ended(id), 90_000);

    expect((await store.get(id))?.status).toBe("succeeded");
    const trail = await store.listAudit({ requestId: id, limit: 500 });
    const resumed = trail
      .filter((e) => e.kind === "step_started" && e.data.phase === "run")
      .map((e) => e.data.stepId);
    expect(resumed).toEqual(["1", "2", "3", "4", "5", "5", "6", "7", "8", "9", "10", "11"]);
    expect(trail.find((e) => e.kind === "step_checked")?.data).toMatchObject({
      stepId: "5",
      state: "not_done",
    });
    await c.stop();
  });

  it("shows the whole trail in history and show", async () => {
    const c = replica();
    c.send("/psa history");
    const history = await c.waitFor(
      (r) => r.kind === "ephemeral" && r.text.startsWith("Recent requests"),
    );
    c.send("/psa show R1");
    const shown = await c.waitFor((r) => r.kind === "ephemeral" && r.text.includes("Trail:"));
    await c.stop();

    expect(history.text).toContain("R1 ");
    expect(history.text).toContain("succeeded");
    expect(shown.text).toContain("request_created by U0LABSRE1");
    expect(shown.text).toMatch(
      /step_ended by bot: step 2, on pve1, \$ pct clone 9000 \d+ --hostname api-gw-3, exit 0/,
    );
    expect(shown.text).toContain("run_ended by bot");
  });
});

async function snapshotContainers() {
  const { labStatus } = await import("../lab/lab.ts");
  const status = await labStatus(STATE);
  return JSON.stringify(status.containers);
}

async function waitForJournal(
  requestId: string,
  done: (entries: Awaited<ReturnType<Store["listJournal"]>>) => boolean,
) {
  for (let i = 0; i < 300; i++) {
    if (done(await store.listJournal(requestId))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`journal of ${requestId} never reached the expected state`);
}
