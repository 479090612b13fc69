import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { createStore } from "../../src/store/create-store.ts";
import { silentLogger, storeContract } from "./store-contract.ts";

let tempDir: string;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), "psa-pglite-"));
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

describe("PGlite store", () => {
  // A directory that does not exist yet: createStore creates it.
  storeContract(() =>
    createStore({ dataDir: join(tempDir, "data", "pglite"), logger: silentLogger }),
  );
});
