/**
 * Fault check for shell wrappers on the lab's other hosts:
 * `node fault-check.mjs <clusterDir> <host> <program> [args...]`.
 *
 * Exits 0 silently when no fault fires. Otherwise it hangs, prints and exits like the fault,
 * with status 1 in place of a fault's 0.
 *
 * Stdin is read only when a matching fault sets `stdinContains`. When that fault does not fire
 * and PSA_FAULT_STDIN_OUT names a file, the input is written to that file, so the wrapper can
 * replay it to the real program. The file is removed at start: after exit 0, an existing file
 * means "replay the file" and a missing one means stdin is still unread.
 */
import { rmSync, writeFileSync } from "node:fs";
import { applyFault, matchingFaults, takeFault } from "./faults.ts";

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function main(): Promise<number> {
  const [clusterDir, host, program, ...args] = process.argv.slice(2);
  if (!clusterDir || !host || !program) {
    process.stderr.write("usage: node fault-check.mjs <clusterDir> <host> <program> [args...]\n");
    return 2;
  }
  const argv = [program, ...args];
  const stdinCopy = process.env.PSA_FAULT_STDIN_OUT;
  if (stdinCopy) {
    rmSync(stdinCopy, { force: true });
  }

  const candidates = matchingFaults(clusterDir, host, argv);
  if (candidates.length === 0) {
    return 0;
  }
  const needsStdin = candidates.some(({ fault }) => fault.stdinContains !== undefined);
  const stdin = needsStdin ? await readStdin() : undefined;

  const fault = await takeFault(clusterDir, host, argv, stdin?.toString("utf8"));
  if (!fault) {
    if (stdin !== undefined && stdinCopy) {
      writeFileSync(stdinCopy, stdin);
    }
    return 0;
  }
  const exitCode = await applyFault(fault);
  return exitCode === 0 ? 1 : exitCode;
}

process.exitCode = await main();
