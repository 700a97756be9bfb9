import { CodedError } from "@p2pnode/types";

/**
 * Why a service could not start or keep running, beyond the shared ErrorCode set. A service that
 * fails with one exits 2 with the message on one line; the codes are asserted by tests and READMEs.
 */
export const KIT_ERROR_CODES = [
  /** A setting the service cannot run with (an unset bus URL, a bus that takes too little). */
  "CONFIG_INVALID",
  /** The supervisor did not tell the service its node's network in time. */
  "NETWORK_UNAVAILABLE",
  /** A database written by a newer build than this one. */
  "STORE_SCHEMA_NEWER",
] as const;
export type KitErrorCode = (typeof KIT_ERROR_CODES)[number];

/** A start-up or runtime refusal of the service kit (400 over REST, as every domain code). */
export class KitError extends CodedError<KitErrorCode> {
  constructor(code: KitErrorCode, message: string, details?: unknown) {
    super(code, message, details, 400);
    this.name = "KitError";
  }
}
