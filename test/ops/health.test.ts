import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthCheckArgv } from "../../src/ops/health.ts";

const run = promisify(execFile);

describe("healthCheckArgv", () => {
  it("builds a curl command", () => {
    const argv = healthCheckArgv("10.20.0.53", 8080, "/health", 2);

    expect(argv).toEqual([
      "curl",
      "-fsS",
      "--noproxy",
      "*",
      "--max-time",
      "2",
      "http://10.20.0.53:8080/health",
    ]);
  });

  it("accepts the root path", () => {
    expect(healthCheckArgv("10.20.0.53", 80, "/", 5).at(-1)).toBe("http://10.20.0.53:80/");
  });

  it.each([
    ["10.20.0.300", 8080, "/health", 2],
    ["localhost", 8080, "/health", 2],
    ["10.20.0.53", 0, "/health", 2],
    ["10.20.0.53", 8080, "health", 2],
    ["10.20.0.53", 8080, "/health?x=1", 2],
    ["10.20.0.53", 8080, "/a b", 2],
    ["10.20.0.53", 8080, "/@evil.example", 2],
    ["10.20.0.53", 8080, "/health", 0],
    ["10.20.0.53", 8080, "/health", 1.5],
  ])("rejects %j %j %j %j", (ip, port, path, timeout) => {
    expect(() => healthCheckArgv(ip, port, path, timeout)).toThrow(RangeError);
  });
});

describe.skipIf(!existsSync("/usr/bin/curl"))("healthCheckArgv with curl", () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/slow") return;
      response.writeHead(request.url === "/health" ? 200 : 503);
      response.end("body\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function exitCode(path: string): Promise<number> {
    const [command, ...args] = healthCheckArgv("127.0.0.1", port, path, 1);
    try {
      await run(command!, args, { env: { ...process.env, http_proxy: "http://127.0.0.9:9" } });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  }

  it("passes on 200", async () => {
    expect(await exitCode("/health")).toBe(0);
  });

  it("fails with 22 on 503", async () => {
    expect(await exitCode("/down")).toBe(22);
  });

  it("fails with 28 on timeout", async () => {
    expect(await exitCode("/slow")).toBe(28);
  });
});
