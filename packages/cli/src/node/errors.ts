/** Start-up failures the operator can fix; main prints the message as one line and exits non-zero. */
export type SupervisorErrorCode =
  | "NATS_SERVER_MISSING"
  | "NATS_SERVER_FAILED"
  | "PORT_IN_USE"
  | "GENESIS_INVALID"
  | "SERVICE_MISSING"
  | "ALREADY_RUNNING"
  | "ROLE_INVALID"
  | "IDENTITY_INVALID";

export class SupervisorError extends Error {
  constructor(
    readonly code: SupervisorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SupervisorError";
  }
}
