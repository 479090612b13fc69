/** The HTTP health check that the bot runs against a new container before it takes traffic. */
import { checkInteger, checkIpv4, checkPort } from "./validate.ts";

const URL_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/**
 * Builds a `curl` command that fails unless `http://IP:PORT/PATH` responds with a 2xx or 3xx
 * status within `timeoutSeconds`. `-f` turns 4xx and 5xx into exit code 22, and `-sS` keeps
 * the error message but drops the progress meter.
 */
export function healthCheckArgv(
  ip: string,
  port: number,
  path: string,
  timeoutSeconds: number,
): string[] {
  if (!URL_PATH.test(path)) {
    throw new RangeError(`invalid health check path ${JSON.stringify(path)}: use /a-z0-9._~-`);
  }

  const timeout = checkInteger(timeoutSeconds, "health check timeout", 1, 3600);
  const url = `http://${checkIpv4(ip)}:${checkPort(port)}${path}`;
  // --noproxy keeps an http_proxy variable on the SSH host from routing the check elsewhere.
  return ["curl", "-fsS", "--noproxy", "*", "--max-time", timeout, url];
}
