/** Usage lines, help text and spelling suggestions of the `/psa` command. */

/** A verb the grammar accepts in this version. */
export type Verb =
  | "help"
  | "status"
  | "scale"
  | "plan"
  | "show"
  | "history"
  | "whoami"
  | "cancel"
  | "freeze"
  | "unfreeze";

/** The verbs the grammar accepts, in the order the help text lists them. */
export const VERBS: readonly Verb[] = [
  "help",
  "status",
  "scale",
  "plan",
  "show",
  "history",
  "whoami",
  "cancel",
  "freeze",
  "unfreeze",
];

const USAGE: Record<Verb, { syntax: string; description: string }> = {
  help: { syntax: "/psa help", description: "show this help" },
  status: {
    syntax: "/psa status [SERVICE]",
    description: "show the state of SERVICE, or of every service",
  },
  scale: {
    syntax: "/psa scale SERVICE +N|-N|N",
    description: "add or remove N replicas (1 to 99), or set the replica count to N (0 to 999)",
  },
  plan: {
    syntax: "/psa plan scale SERVICE +N|-N|N",
    description: "show what the scale command would do, without running it",
  },
  show: {
    syntax: "/psa show REQUEST",
    description: "show a request, its votes, steps and outcome",
  },
  history: {
    syntax: "/psa history [SERVICE]",
    description: "list recent requests, of SERVICE or of every service",
  },
  whoami: { syntax: "/psa whoami", description: "show your roles and what they allow" },
  cancel: {
    syntax: "/psa cancel REQUEST",
    description: "withdraw a request, or stop its run after the current step and undo it",
  },
  freeze: {
    syntax: "/psa freeze [SERVICE] [REASON...]",
    description: "refuse new runs for SERVICE, or for every service",
  },
  unfreeze: { syntax: "/psa unfreeze [SERVICE]", description: "lift a freeze" },
};

/** Returns the usage line of one verb: its syntax and a short description. */
export function usageOf(verb: Verb): string {
  const { syntax, description } = USAGE[verb];
  return `${syntax} - ${description}`;
}

/** The help text: one usage line per verb. */
export const HELP_TEXT: string = VERBS.map(usageOf).join("\n");

const MAX_SUGGESTION_DISTANCE = 2;

/** Returns " Did you mean `x`?" for the closest candidate within edit distance 2, or "". */
export function suggestionFor(word: string, candidates: readonly string[]): string {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= MAX_SUGGESTION_DISTANCE && (best === undefined || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best === undefined ? "" : ` Did you mean \`${best.candidate}\`?`;
}

/**
 * Computes the optimal string alignment distance: insertions, deletions, substitutions and swaps
 * of two adjacent characters each cost 1, so `api-wg` is 1 from `api-gw`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }

  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i]!;
      const previous = rows[i - 1]!;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}
