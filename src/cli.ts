import { parseArgs } from "node:util";
import { checkConfigVerb, consoleVerb, EXIT, pinHostVerb, planVerb, runVerb } from "./main.ts";

const USAGE = `Usage: psa-bot VERB [options]
  run [--config FILE]                                  the Slack bot
  console [--config FILE] [--as USER_ID] [--script FILE] [--json]
                                                       the bot in a terminal
  check-config [--config FILE]                         validate inventory and policies
  plan --as USER_ID [--config FILE] "scale SVC +N"     print a plan; changes nothing
  pin-host HOST [--config FILE]                        print a host's key fingerprint
Exit codes: 0 done, 1 fault, 2 invalid command line or configuration, 3 denied by policy.`;

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      as: { type: "string" },
      script: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const config = values.config;

  switch (verb) {
    case "run":
      return runVerb({ config });
    case "console":
      return consoleVerb({
        config,
        as: values.as,
        script: values.script,
        json: values.json ?? false,
      });
    case "check-config":
      return checkConfigVerb({ config });
    case "plan":
      return planVerb({ config, as: values.as, text: positionals.join(" ") });
    case "pin-host":
      if (positionals.length !== 1) return usage("pin-host takes one HOST");
      return pinHostVerb({ config, host: positionals[0]! });
    default:
      return usage(verb ? `unknown verb "${verb}"` : "missing verb");
  }
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
