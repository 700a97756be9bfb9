import { CodedError } from "@p2pnode/types";

/**
 * The CLI's own codes, beyond the shared ErrorCode set and the codes it passes on from the node's
 * services. `p2pnode` prints the message and exits 1 for any of them.
 */
export const CLI_ERROR_CODES = [
  /** An argument or option the command cannot use (a malformed address, amount, file). */
  "BAD_ARGS",
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** A command refused what it was given, before asking the node anything. */
export class CliError extends CodedError<CliErrorCode> {
  constructor(code: CliErrorCode, message: string, details?: unknown) {
    super(code, message, details, 400);
    this.name = "CliError";
  }
}
