import { Counter, Histogram, Registry } from "prom-client";
import type { AuditEvent, Store } from "../core/store.ts";

/** The bot's Prometheus metrics: requests, votes, runs, step durations and Slack API errors. */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "psa_requests_total",
    help: "Commands by outcome: created, denied, rejected",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  private readonly votes = new Counter({
    name: "psa_votes_total",
    help: "Recorded votes by decision",
    labelNames: ["decision"],
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: "psa_runs_total",
    help: "Finished runs by status",
    labelNames: ["status"],
    registers: [this.registry],
  });
  private readonly steps = new Histogram({
    name: "psa_step_duration_seconds",
    help: "Duration of plan steps",
    labelNames: ["phase", "ok"],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly slackErrors = new Counter({
    name: "psa_slack_api_errors_total",
    help: "Failed Slack API calls",
    labelNames: ["method", "error"],
    registers: [this.registry],
  });

  /** Counts what one audit event says happened. */
  observe(event: AuditEvent): void {
    const data = event.data;
    if (event.kind === "request_created") this.requests.inc({ outcome: "created" });
    if (event.kind === "request_denied") this.requests.inc({ outcome: "denied" });
    if (event.kind === "command_rejected") this.requests.inc({ outcome: "rejected" });
    if (event.kind === "vote") this.votes.inc({ decision: String(data.decision) });
    if (event.kind === "run_ended") this.runs.inc({ status: String(data.status) });
    if (event.kind === "step_ended" && typeof data.durationMs === "number") {
      this.steps.observe(
        { phase: String(data.phase), ok: String(data.ok) },
        data.durationMs / 1000,
      );
    }
  }

  /** Counts a failed Slack API call. */
  countSlackError(method: string, error: string): void {
    this.slackErrors.inc({ method, error });
  }
}

/** Wraps a store so every appended audit event also updates the metrics. */
export function observeAudit(store: Store, metrics: BotMetrics): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== "appendAudit") {
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (event: Parameters<Store["appendAudit"]>[0]) => {
        const stored = await target.appendAudit(event);
        metrics.observe(stored);
        return stored;
      };
    },
  });
}
