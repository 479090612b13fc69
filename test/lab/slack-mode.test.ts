import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labStatus, stopLab } from "./lab.ts";
import { runSlackMode } from "./slack-mode.ts";

const NET = 89;
const STATE_DIR = `/tmp/psa-test-lab-${NET}`;
/** Waits of 2 s each after the click, until the card shows the run's outcome. */
const MAX_WAITS = 45;

/** One printed item: its first line and its indented text. */
interface Entry {
  head: string;
  text: string;
}

const output: string[] = [];

/** Yields the script: a status, a scale request, and its approval by the other SRE. */
async function* script(): AsyncGenerator<string> {
  yield "/psa status";
  yield "/psa scale api-gw +1";
  yield "as U0LABSRE2";
  yield "click approve R1";
  for (let waits = 0; waits < MAX_WAITS && !cardEdits().some(isFinal); waits++) {
    yield "wait 2";
  }
}

/** Returns the entries printed after the input line `input`, up to the next input line. */
function section(input: string): Entry[] {
  const start = output.indexOf(`> ${input}`);
  const end = output.findIndex((line, index) => index > start && line.startsWith("> "));
  return entries(output.slice(start + 1, end === -1 ? undefined : end));
}

/** Returns the entries printed from the input line `input` to the end. */
function sectionsFrom(input: string): Entry[] {
  return entries(output.slice(output.indexOf(`> ${input}`) + 1));
}

function entries(lines: string[]): Entry[] {
  const found: Entry[] = [];
  for (const line of lines) {
    const last = found.at(-1);
    if (line.startsWith("    ") && last) {
      last.text += `${line.slice(4)}\n`;
    } else {
      found.push({ head: line, text: "" });
    }
  }
  return found;
}

function cardEdits(): Entry[] {
  return sectionsFrom("click approve R1").filter((entry) =>
    /^chat\.update in C0LABOPS1, message \d+\.\d+ \[\d+ blocks?\]$/.test(entry.head),
  );
}

function isFinal(entry: Entry): boolean {
  return /succeeded|failed/.test(entry.text);
}

beforeAll(async () => {
  await stopLab(STATE_DIR).catch(() => undefined);
  await rm(STATE_DIR, { recursive: true, force: true });

  await runSlackMode({
    stateDir: STATE_DIR,
    net: NET,
    lines: script(),
    write: (line) => output.push(...line.split("\n")),
  });
}, 300_000);

afterAll(async () => {
  await stopLab(STATE_DIR);
});

describe("lab Slack mode", () => {
  it("prints the bot, admin and stand-in addresses", () => {
    const addresses = output.filter((line) => /^(bot|admin|stand-in):/.test(line));

    expect(addresses).toHaveLength(3);
    for (const line of addresses) {
      expect(line).toMatch(/ http:\/\/127\.0\.0\.1:\d+/);
    }
  });

  it("shows status as a message in #ops", () => {
    const posts = section("/psa status").filter((entry) =>
      /^chat\.postMessage in C0LABOPS1 \[\d+ blocks?\]$/.test(entry.head),
    );

    expect(posts).toHaveLength(1);
    expect(posts[0]?.text).toContain("api-gw");
  });

  it("posts a card for a scale request", () => {
    const cards = section("/psa scale api-gw +1").filter((entry) =>
      /^chat\.postMessage in C0LABOPS1 \[\d+ blocks?\]$/.test(entry.head),
    );

    expect(cards).toHaveLength(1);
    expect(cards[0]?.text).toContain("R1");
    expect(cards[0]?.text).toContain("scale api-gw +1");
  });

  it("switches the acting user", () => {
    const lines = section("as U0LABSRE2").map((entry) => entry.head);

    expect(lines).toEqual(["acting as U0LABSRE2"]);
  });

  it("shows thread progress after the approval", () => {
    const progress = sectionsFrom("click approve R1").filter((entry) =>
      /^chat\.postMessage in C0LABOPS1, thread \d+\.\d+ \[\d+ blocks?\]$/.test(entry.head),
    );
    const text = progress.map((entry) => entry.text).join("");

    expect(progress.length).toBeGreaterThan(0);
    expect(text).toContain("clone template CT 9000");
  });

  it("shows the card edit with the outcome", () => {
    const final = cardEdits().filter(isFinal);

    expect(final.length).toBeGreaterThan(0);
    expect(final.at(-1)?.text).toContain("succeeded");
  });

  it("stops the bot and leaves the lab up", async () => {
    const admin = output.find((line) => line.startsWith("admin:"))?.split(/\s+/)[1] ?? "";
    const status = await labStatus(STATE_DIR);

    await expect(fetch(`${admin}/healthz`)).rejects.toThrow();
    expect(status.up).toBe(true);
  });
});
