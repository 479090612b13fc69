/** Stable codes of faults: failures of the bot or its infrastructure, not of user input. */
export type FaultCode =
  | "config_invalid"
  | "host_key_mismatch"
  | "ssh_connect_failed"
  | "ssh_channel_failed"
  | "live_state_unreadable"
  | "internal";

/** The one error class the bot throws. Expected outcomes are returned values instead. */
export class PsaError extends Error {
  override readonly name = "PsaError";

  constructor(
    readonly code: FaultCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Tells whether a value is a PsaError, optionally with the given code. */
export function isPsaError(value: unknown, code?: FaultCode): value is PsaError {
  return value instanceof PsaError && (code === undefined || value.code === code);
}
