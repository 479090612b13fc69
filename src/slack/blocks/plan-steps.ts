import type { Plan, Step } from "../../core/plan.ts";
import { describeCommand } from "../../core/render.ts";
import { type Block, sectionsWithin } from "./elements.ts";
import { escapeMrkdwn, MAX_SECTION_TEXT, packCounted, truncate } from "./limits.ts";
import { inlineCode } from "./mrkdwn.ts";

/**
 * Renders a plan's steps as sections, several steps to a section, with each step's host and
 * command in code formatting and its undo steps below it. When the sections would need more
 * than `maxBlocks` blocks, the last block counts the steps left out and names the command
 * that lists them (`showCommand`, such as "/psa show R12").
 */
export function planStepBlocks(plan: Plan, maxBlocks: number, showCommand: string): Block[] {
  const entries = plan.steps.map((step) => describeStep(step, showCommand));
  // A blank line between steps keeps each step's lines together when Slack wraps them.
  const packed = packCounted(entries, MAX_SECTION_TEXT, "\n\n");

  return sectionsWithin(packed, maxBlocks, (left) => {
    const steps = left === 1 ? "1 more step" : `${left} more steps`;
    return `… and ${steps}; ${escapeMrkdwn(showCommand)} lists them all.`;
  });
}

function describeStep(step: Step, showCommand: string): string {
  const lines = [
    `*${escapeMrkdwn(step.id)}.* ${inlineCode(step.host)} ${escapeMrkdwn(step.title)}`,
    inlineCode(describeCommand(step)),
  ];
  for (const undo of step.undo) {
    lines.push(`      undo on ${inlineCode(undo.host)}: ${inlineCode(describeCommand(undo))}`);
  }
  return truncate(lines.join("\n"), MAX_SECTION_TEXT, `${showCommand} has everything`);
}
