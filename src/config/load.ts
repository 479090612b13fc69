import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { load } from "js-yaml";
import type { z } from "zod";
import { checkInventory, checkPolicies } from "./cross-checks.ts";
import { type ConfigProblem, problemAt, problemsFromZod } from "./problems.ts";
import {
  type Inventory,
  inventorySchema,
  type Policy,
  type PolicyFile,
  policyFileSchema,
} from "./schema.ts";

/** A validated configuration: the inventory, the merged policies, and where they came from. */
export interface LoadedConfig {
  path: string;
  inventory: Inventory;
  policy: Policy;
  /** Absolute key file path of each host. */
  keyFiles: Record<string, string>;
}

/** The outcome of loading: a config, or every problem found. */
export type LoadResult =
  | { ok: true; config: LoadedConfig }
  | { ok: false; problems: ConfigProblem[] };

interface ParsedFile<T> {
  file: string;
  text: string;
  value?: T;
  problems: ConfigProblem[];
}

/** Loads `psa.yml` and the `policies/*.yml` next to it, and validates both. */
export async function loadConfig(path: string): Promise<LoadResult> {
  const configPath = resolve(path);
  const inventory = await parseFile(configPath, inventorySchema);
  if (inventory.text === "" && inventory.problems.length > 0)
    return { ok: false, problems: inventory.problems };
  const policies = await loadPolicyFiles(join(dirname(configPath), "policies"));
  const problems = [...inventory.problems, ...policies.flatMap((file) => file.problems)];
  if (!inventory.value || problems.length > 0) return { ok: false, problems };

  const keyFiles = resolveKeyFiles(configPath, inventory.value);
  const policy = mergePolicyFiles(policies);
  problems.push(
    ...(await checkInventory(inventory as Required<ParsedFile<Inventory>>, keyFiles)),
    ...checkPolicies(policies as Required<ParsedFile<PolicyFile>>[], inventory.value),
  );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { path: configPath, inventory: inventory.value, policy, keyFiles } };
}

async function loadPolicyFiles(dir: string): Promise<ParsedFile<PolicyFile>[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch {
    return [
      {
        file: dir,
        text: "",
        problems: [problemAt(dir, "", [], "policy folder not found; create policies/*.yml")],
      },
    ];
  }
  return Promise.all(names.map((name) => parseFile(join(dir, name), policyFileSchema)));
}

async function parseFile<T>(file: string, schema: z.ZodType<T>): Promise<ParsedFile<T>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : "unreadable";
    return { file, text: "", problems: [problemAt(file, "", [], `file ${reason}`)] };
  }

  let raw: unknown;
  try {
    raw = load(text, { filename: basename(file) });
  } catch (error) {
    const mark = (error as { mark?: { line: number } }).mark;
    const message = `invalid YAML: ${(error as { reason?: string }).reason ?? String(error)}`;
    return {
      file,
      text,
      problems: [{ file, line: (mark?.line ?? 0) + 1, field: "(yaml)", message }],
    };
  }

  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) return { file, text, problems: problemsFromZod(file, text, parsed.error) };
  return { file, text, value: parsed.data, problems: [] };
}

function resolveKeyFiles(configPath: string, inventory: Inventory): Record<string, string> {
  const base = dirname(configPath);
  return Object.fromEntries(
    Object.entries(inventory.hosts).map(([name, host]) => [
      name,
      isAbsolute(host.keyFile) ? host.keyFile : resolve(base, host.keyFile),
    ]),
  );
}

function mergePolicyFiles(files: ParsedFile<PolicyFile>[]): Policy {
  const roles: Record<string, string[]> = {};
  for (const file of files) {
    for (const [role, members] of Object.entries(file.value?.roles ?? {})) {
      roles[role] = [...new Set([...(roles[role] ?? []), ...members])];
    }
  }
  const channels = [...new Set(files.flatMap((file) => file.value?.channels ?? []))];
  return { roles, rules: files.flatMap((file) => file.value?.rules ?? []), channels };
}
