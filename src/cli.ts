import { parseArgs } from "node:util";
import { checkConfigVerb, consoleVerb, EXIT, pinHostVerb, planVerb, runVerb } from "./main.ts";

const USAGE = `Usage: psa-bot VERB [options]
  run [--config FILE]                                  the Slack bot
  console [--config FILE] [--as USER_ID] [--script FILE] [--json]
                                                       the bot in a terminal
  check-config [--config FILE]                         validate inventory and policies
  plan --as USER_ID [--config FILE] scale SVC +N|-N|N  print a plan; changes nothing
  pin-host HOST [--config FILE]                        print a host's key fingerprint
The config is psa.yml, or PSA_CONFIG, unless --config names one.
Exit codes: 0 done, 1 fault, 2 invalid command line or configuration, 3 denied by policy.`;

const OPTIONS = {
  config: { type: "string" },
  as: { type: "string" },
  script: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

/** Options each verb takes, and how many positional arguments. */
const VERBS: Record<
  string,
  { options: Array<keyof typeof OPTIONS>; positionals: [number, number] }
> = {
  run: { options: ["config"], positionals: [0, 0] },
  console: { options: ["config", "as", "script", "json"], positionals: [0, 0] },
  "check-config": { options: ["config"], positionals: [0, 0] },
  "pin-host": { options: ["config"], positionals: [1, 1] },
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === "--help" || verb === "-h" || verb === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (verb === "plan") return plan(rest);

  const spec = verb ? VERBS[verb] : undefined;
  if (!verb || !spec) return usage(verb ? `unknown verb "${verb}"` : "missing verb");
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: OPTIONS,
  });
  const unknown = Object.keys(values).find(
    (name) => name !== "json" && !spec.options.includes(name as keyof typeof OPTIONS),
  );
  if (unknown) return usage(`${verb} takes no --${unknown}`);
  if (positionals.length < spec.positionals[0] || positionals.length > spec.positionals[1]) {
    return usage(
      `${verb} takes ${spec.positionals[1] === 0 ? "no arguments" : "one HOST"}, not "${positionals.join(" ")}"`,
    );
  }

  const config = values.config;
  if (verb === "run") return runVerb({ config });
  if (verb === "console")
    return consoleVerb({
      config,
      as: values.as,
      script: values.script,
      json: values.json ?? false,
    });
  if (verb === "check-config") return checkConfigVerb({ config });
  return pinHostVerb({ config, host: positionals[0]! });
}

/**
 * Parses `plan`: options come first, and everything from the first other word on is the command,
 * so `plan --as U1 scale api-gw -1` works without quotes.
 */
function plan(args: string[]): Promise<number> | number {
  const options: { config?: string; as?: string } = {};
  let index = 0;
  while (index < args.length && (args[index] === "--as" || args[index] === "--config")) {
    const value = args[index + 1];
    if (value === undefined) return usage(`${args[index]} needs a value`);
    options[args[index] === "--as" ? "as" : "config"] = value;
    index += 2;
  }
  const text = args.slice(index).join(" ").trim();
  if (text === "")
    return usage("plan needs a command, such as: plan --as U012AB3CD scale api-gw +1");
  return planVerb({ ...options, text });
}

function usage(problem: string): number {
  process.stderr.write(`psa-bot: ${problem}\n${USAGE}\n`);
  return EXIT.invalid;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof TypeError &&
    "code" in error &&
    String(error.code).startsWith("ERR_PARSE_ARGS")
  ) {
    process.exitCode = usage(error.message);
  } else {
    process.stderr.write(
      `psa-bot: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.fault;
  }
}
