/** A parsed `/psa` command line. The grammar accepts nothing outside these shapes. */
export type PsaCommand =
  | { verb: "help" }
  | { verb: "status"; service?: string }
  | { verb: "scale"; service: string; change: ScaleChange }
  | { verb: "plan"; command: PlannableCommand }
  | { verb: "show"; requestId: string }
  | { verb: "history"; service?: string }
  | { verb: "whoami" }
  | { verb: "cancel"; requestId: string }
  | { verb: "freeze"; service?: string; reason: string }
  | { verb: "unfreeze"; service?: string };

/** A command that changes infrastructure and can therefore be planned. */
export type PlannableCommand = Extract<PsaCommand, { verb: "scale" }>;

/** The replica change of `scale`: relative (`+N`, `-N`) or absolute (`N`). */
export type ScaleChange = { mode: "relative"; delta: number } | { mode: "absolute"; count: number };

/** A command line the grammar rejected: the offending token, why, and the usage to show. */
export interface CommandRejection {
  code: "invalid_command";
  /** The token that broke the grammar, or "" when a token is missing. */
  token: string;
  message: string;
  usage: string;
}

/** The outcome of parsing: a command or a rejection, never a thrown error. */
export type ParseResult =
  | { ok: true; command: PsaCommand }
  | { ok: false; rejection: CommandRejection };
