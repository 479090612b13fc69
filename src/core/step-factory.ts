import type { Inventory, ServiceConfig } from "../config/schema.ts";
import type { Step } from "./plan.ts";

type StepDraft = Step extends infer S
  ? S extends Step
    ? Omit<S, "id" | "undo" | "timeoutMs">
    : never
  : never;

/** Numbers steps in plan order and fills in their time limits from the settings. */
export class StepFactory {
  private count = 0;

  constructor(private readonly settings: Inventory["settings"]) {}

  /** Creates a step with the next id; undo steps get ids of their parent with a suffix. */
  step(draft: StepDraft, undo: StepDraft[] = []): Step {
    const id = String(++this.count);
    const undoSteps = undo.map((item, index) => this.finish(item, `${id}.u${index + 1}`, []));
    return this.finish(draft, id, undoSteps);
  }

  private finish(draft: StepDraft, id: string, undo: Step[]): Step {
    return { ...draft, id, undo, timeoutMs: this.timeoutOf(draft.kind) } as Step;
  }

  private timeoutOf(kind: Step["kind"]): number {
    const { stepTimeoutSeconds, healthTimeoutSeconds, drainTimeoutSeconds } = this.settings;
    if (kind === "wait-healthy" || kind === "wait-server") return healthTimeoutSeconds * 1000;
    if (kind === "wait-drained") return drainTimeoutSeconds * 1000;
    return stepTimeoutSeconds * 1000;
  }
}

/**
 * Validates the current `haproxy.cfg` before any change: a file that is already broken would
 * otherwise fail only at the config edit, after containers were cloned and started.
 */
export function checkConfigStep(factory: StepFactory, haproxy: ServiceConfig["haproxy"]): Step {
  return factory.step({
    kind: "exec",
    title: `check that ${haproxy.config} is valid before any change`,
    host: haproxy.host,
    argv: ["haproxy", "-c", "-f", haproxy.config],
  });
}
