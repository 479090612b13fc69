/** IPv4 arithmetic for the address pools of services. */
import { fail, type OpsFailure } from "./result.ts";
import { isIpv4 } from "./validate.ts";

/** Maximum number of addresses in a pool, the size of a /16. */
export const MAX_POOL_SIZE = 65_536;

/** The result of `ipRange`. */
export type IpRangeResult = { ok: true; ips: string[] } | OpsFailure;

/** The result of `firstFreeIps`. */
export type FreeIpsResult = { ok: true; ips: string[] } | OpsFailure;

/** Converts a dotted-quad IPv4 address to an unsigned 32-bit number. Throws on invalid input. */
export function ipToNumber(ip: string): number {
  if (!isIpv4(ip)) throw new RangeError(`invalid IPv4 address ${JSON.stringify(ip)}`);

  return ip.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** Converts an unsigned 32-bit number to a dotted-quad IPv4 address. Throws out of range. */
export function numberToIp(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError(`invalid IPv4 number ${value}: must be an integer from 0 to 2^32-1`);
  }

  const octets = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  return octets.join(".");
}

/** Lists every address from `first` to `last`, both included, at most `MAX_POOL_SIZE`. */
export function ipRange(first: string, last: string): IpRangeResult {
  if (!isIpv4(first)) return fail(`invalid first address ${JSON.stringify(first)}`);
  if (!isIpv4(last)) return fail(`invalid last address ${JSON.stringify(last)}`);

  const start = ipToNumber(first);
  const end = ipToNumber(last);
  if (end < start) return fail(`last address ${last} comes before first address ${first}`);
  if (end - start + 1 > MAX_POOL_SIZE) {
    return fail(
      `range ${first}-${last} has ${end - start + 1} addresses, more than ${MAX_POOL_SIZE}`,
    );
  }

  return {
    ok: true,
    ips: Array.from({ length: end - start + 1 }, (_, i) => numberToIp(start + i)),
  };
}

/** Returns the first `count` addresses of `pool` that are not in `used`, in pool order. */
export function firstFreeIps(
  pool: readonly string[],
  used: ReadonlySet<string>,
  count: number,
): FreeIpsResult {
  if (!Number.isInteger(count) || count < 0) return fail(`invalid address count ${count}`);

  const free = pool.filter((ip) => !used.has(ip)).slice(0, count);
  if (free.length < count) {
    return fail(`the pool has ${free.length} free addresses, ${count} needed`);
  }
  return { ok: true, ips: free };
}
