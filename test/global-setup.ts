import { ensurePackages } from "./lab/packages.ts";

/** Installs the lab's apt packages once before any test file starts a lab. */
export default async function setup(): Promise<void> {
  await ensurePackages((line) => process.stdout.write(`${line}\n`));
}
