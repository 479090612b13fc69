import { NodeSSH } from "node-ssh";
import { fingerprintOf } from "./fingerprint.ts";

/**
 * Connects far enough to see a host's key and returns its SHA-256 fingerprint. The verifier
 * rejects the key, so the connection ends before any authentication.
 */
export async function fetchFingerprint(address: string, port: number): Promise<string> {
  let offered: string | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: address,
      port,
      username: "psa-pin-host",
      readyTimeout: 10000,
      hostVerifier: (key: Buffer) => {
        offered = fingerprintOf(key);
        return false;
      },
    });
  } catch (error) {
    if (offered) return offered;
    throw error;
  } finally {
    ssh.dispose();
  }
  throw new Error("the host accepted the connection without showing its key");
}
