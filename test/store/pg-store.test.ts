import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.ts";
import type { SqlStore } from "../../src/store/sql-store.ts";
import { type Lab, startLab, stopLab } from "../lab/lab.ts";
import { newRequest, silentLogger, storeContract, uniqueName } from "./store-contract.ts";

const STATE_DIR = "/tmp/psa-test-lab-85";
const NET = 85;

let lab: Lab;
const databases: string[] = [];

/** Replaces the database name of a postgres:// URL. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database for this run and returns its URL; afterAll drops it. */
async function freshDatabase(): Promise<string> {
  const name = `psa_test_${randomBytes(6).toString("hex")}`;
  await withClient(lab.databaseUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  return withDatabase(lab.databaseUrl, name);
}

const openStore = (url: string) =>
  createStore({ databaseUrl: url, dataDir: "", logger: silentLogger });

beforeAll(async () => {
  lab = await startLab({ stateDir: STATE_DIR, net: NET });
});

afterAll(async () => {
  // lab is unset when startLab failed; the lab is stopped anyway, to end what did start.
  if (lab) {
    await withClient(lab.databaseUrl, async (client) => {
      for (const name of databases) {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    });
  }
  await stopLab(STATE_DIR);
});

describe("PostgreSQL store", () => {
  let url = "";
  storeContract(async () => {
    url ||= await freshDatabase();
    return openStore(url);
  });
});

describe("PostgreSQL store with two replicas", () => {
  let url: string;
  let first: SqlStore;
  let second: SqlStore;

  beforeAll(async () => {
    url = await freshDatabase();
    [first, second] = await Promise.all([openStore(url), openStore(url)]);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  it("migrates once when both start together", async () => {
    const { rows } = await first.client.query<{ version: number }>(
      "SELECT version FROM schema_migrations",
    );

    expect(rows.map((row) => row.version)).toEqual([1]);
  });

  it("lets one of 20 parallel updates win", async () => {
    const created = await first.create(newRequest(uniqueName("svc")));

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? first : second).update(created.id, 1, { outcome: `writer ${index}` }),
      ),
    );
    const winners = results.filter((result) => result !== undefined);
    const current = await second.get(created.id);

    expect(winners).toHaveLength(1);
    expect(current?.version).toBe(2);
    expect(current?.outcome).toBe(winners[0]?.outcome);
  });

  it("gives a contested lease to one replica", async () => {
    const name = uniqueName("lease");

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? first : second).acquireLease(name, `replica-${index}`, 10_000),
      ),
    );
    const holder = await first.leaseHolder(name);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(holder).toBe(`replica-${results.indexOf(true)}`);
  });

  it("records a delivery once across replicas", async () => {
    const key = uniqueName("Ev");

    const results = await Promise.all([first.recordDelivery(key), second.recordDelivery(key)]);

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("survives terminated idle connections", async () => {
    await first.get("R1");

    const terminated = await withClient(url, async (client) => {
      const result = await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'psa-chatops'`,
      );
      return result.rowCount;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await first.create(newRequest(uniqueName("svc")));

    expect(terminated).toBeGreaterThan(0);
    expect(await second.get(created.id)).toEqual(created);
  });
});

describe("lab PostgreSQL", () => {
  it("writes the database URL with mode 600", async () => {
    const urlFile = join(STATE_DIR, "database-url");

    const text = await readFile(urlFile, "utf8");
    const mode = (await stat(urlFile)).mode & 0o777;

    expect(text.trim()).toBe(lab.databaseUrl);
    expect(lab.databaseUrl).toMatch(/^postgres:\/\/psa:[0-9a-f]{48}@127\.85\.30\.10:5432\/psa$/);
    expect(mode).toBe(0o600);
  });

  it("runs PostgreSQL 15", async () => {
    const version = await withClient(lab.databaseUrl, async (client) => {
      const result = await client.query<{ server_version: string }>("SHOW server_version");
      return result.rows[0]?.server_version;
    });

    expect(version).toMatch(/^15\./);
  });

  it("rejects a wrong password", async () => {
    const wrong = new URL(lab.databaseUrl);
    wrong.password = "wrong";

    await expect(withClient(wrong.toString(), async () => undefined)).rejects.toThrow(
      /password authentication failed for user "psa"/,
    );
  });
});
