import { createServer, type Server } from "node:http";
import type { Logger } from "../core/ports.ts";
import type { BotMetrics } from "./metrics.ts";

/** What `/healthz` checks: a cheap round trip to the store. */
export type HealthCheck = () => Promise<void>;

/**
 * Serves `/healthz` and `/metrics` on the admin address, which defaults to 127.0.0.1 so that
 * only the host (or a scraper on it) can read them.
 */
export function startAdminServer(
  host: string,
  port: number,
  metrics: BotMetrics,
  health: HealthCheck,
  logger: Logger,
): Promise<Server> {
  const server = createServer((request, response) => {
    void (async () => {
      if (request.url === "/metrics") {
        response.writeHead(200, { "content-type": metrics.registry.contentType });
        response.end(await metrics.registry.metrics());
        return;
      }
      if (request.url === "/healthz") {
        const ok = await health().then(
          () => true,
          (error: unknown) => {
            logger.error({ err: error }, "health check failed");
            return false;
          },
        );
        response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
        response.end(JSON.stringify({ ok }));
        return;
      }
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found; try /healthz or /metrics\n");
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
