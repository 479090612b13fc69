import { createHash } from "node:crypto";

/** Formats a raw SSH host key as OpenSSH prints it with `ssh-keygen -lf` (SHA256:base64). */
export function fingerprintOf(hostKey: Buffer): string {
  const digest = createHash("sha256").update(hostKey).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}
