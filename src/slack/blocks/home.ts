import { statusLabel } from "../../core/render.ts";
import type { ChangeRequest } from "../../core/request.ts";
import {
  type Block,
  dividerBlock,
  type HomeView,
  headerBlock,
  sectionBlock,
  sectionsWithin,
} from "./elements.ts";
import {
  escapeMrkdwn,
  MAX_HOME_BLOCKS,
  MAX_SECTION_TEXT,
  packCounted,
  truncate,
} from "./limits.ts";
import { escapeKeepingMentions, inlineCode, mention, slackDate } from "./mrkdwn.ts";

/** One service as the Home tab shows it. */
export interface HomeService {
  name: string;
  /** Containers of the service that Proxmox lists. */
  replicas: number;
  /** Servers of the service's backend that HAProxy reports UP. */
  up: number;
  /** Differences between Proxmox and HAProxy as `findDrift` lists them, or their count. */
  drift: string[] | number;
  /** The freeze reason, or the `describeFreeze` text, when the service is frozen. */
  frozen?: string;
}

/** Content of the Home tab. */
export interface HomeContent {
  services: HomeService[];
  /** Requests that wait for votes, oldest first. */
  pending: ChangeRequest[];
  /** Requests that ended lately, newest first. */
  recent: ChangeRequest[];
  /** The slash command that notes point to; `/psa` unless set. */
  slashCommand?: string;
}

/** Drift items listed per service; the rest are counted. */
const DRIFT_ITEMS_SHOWN = 3;
/** Blocks for the service list, so that requests keep room in the view. */
const MAX_SERVICE_BLOCKS = 20;
/** Blocks for pending requests; recent requests get the rest, at least 34 of the 100. */
const MAX_PENDING_BLOCKS = 40;
/** Characters of an outcome in the recent list; the card and `/psa show` have all of it. */
const MAX_RECENT_OUTCOME = 200;

/**
 * Renders the Home tab: services with replicas, health and drift, requests waiting for
 * approval, and recent requests, within Slack's 100 blocks. Services and pending requests
 * have a share each, recent requests get the rest, and what does not fit is counted in a note.
 */
export function homeView(content: HomeContent): HomeView {
  const command = content.slashCommand ?? "/psa";
  const blocks: Block[] = [headerBlock("PSA platform"), sectionBlock("*Services*")];
  blocks.push(
    ...listBlocks(
      content.services.map((service) => describeService(service, command)),
      MAX_SERVICE_BLOCKS,
      {
        empty: "No services are configured.",
        more: (left) => `… and ${left} more services; ${command} status shows them all.`,
      },
    ),
  );

  blocks.push(dividerBlock(), sectionBlock(`*Waiting for approval* (${content.pending.length})`));
  blocks.push(
    ...listBlocks(
      content.pending.map((r) => describePending(r, command)),
      MAX_PENDING_BLOCKS,
      {
        empty: "Nothing waits for approval.",
        more: (left) => `… and ${left} more requests waiting; ${command} history lists them.`,
      },
    ),
  );

  blocks.push(dividerBlock(), sectionBlock("*Recent requests*"));
  blocks.push(
    ...listBlocks(
      content.recent.map((r) => describeRecent(r, command)),
      MAX_HOME_BLOCKS - blocks.length,
      {
        empty: "No requests yet.",
        more: (left) => `… and ${left} more; ${command} history lists them.`,
      },
    ),
  );
  return { type: "home", blocks };
}

function listBlocks(
  items: string[],
  maxBlocks: number,
  notes: { empty: string; more: (left: number) => string },
): Block[] {
  if (items.length === 0) return [sectionBlock(notes.empty)];
  const fitted = items.map((item) => truncate(item, MAX_SECTION_TEXT));
  return sectionsWithin(packCounted(fitted, MAX_SECTION_TEXT, "\n\n"), maxBlocks, notes.more);
}

function describeService(service: HomeService, command: string): string {
  const lines = [
    `*${escapeMrkdwn(service.name)}*: ${service.replicas} replica(s), ${service.up} UP in HAProxy`,
  ];
  if (service.frozen) lines.push(`Frozen: ${escapeKeepingMentions(service.frozen)}`);
  lines.push(...describeDrift(service, command));
  return lines.join("\n");
}

function describeDrift(service: HomeService, command: string): string[] {
  const { drift } = service;
  const count = typeof drift === "number" ? drift : drift.length;
  if (count === 0) return ["No drift."];
  if (typeof drift === "number")
    return [`Drift: ${count}; ${escapeMrkdwn(`${command} status ${service.name}`)} lists it.`];

  const listed = drift.slice(0, DRIFT_ITEMS_SHOWN).map((item) => `• ${escapeMrkdwn(item)}`);
  const left = count - listed.length;
  return [`Drift (${count}):`, ...listed, ...(left > 0 ? [`• … and ${left} more`] : [])];
}

function describePending(request: ChangeRequest, command: string): string {
  const lines = [
    `*${escapeMrkdwn(request.id)}* ${inlineCode(`${command} ${request.commandText}`)} by ${mention(request.requesterId)}: ${escapeMrkdwn(statusLabel(request))}`,
    `Plan ${inlineCode(request.plan.hash)}: ${escapeMrkdwn(request.plan.summary)}. Expires ${slackDate(request.expiresAt)}.`,
  ];
  const channel = request.origin.channelId;
  // Votes happen on the card, where the result shows to everyone in the channel.
  if (channel && /^[CG][A-Z0-9]+$/.test(channel)) lines.push(`Vote on its card in <#${channel}>.`);
  return lines.join("\n");
}

function describeRecent(request: ChangeRequest, command: string): string {
  const outcome = request.outcome?.split("\n")[0];
  const ended = outcome ? ` — ${truncate(escapeKeepingMentions(outcome), MAX_RECENT_OUTCOME)}` : "";
  return `*${escapeMrkdwn(request.id)}* ${inlineCode(`${command} ${request.commandText}`)} by ${mention(request.requesterId)}: ${escapeMrkdwn(statusLabel(request))}${ended} (${slackDate(request.updatedAt)})`;
}
