import { CodedError } from "@p2pnode/types";

/*
 * Every refusal of the chain carries a RejectReason (packages/types), the same code over REST
 * and NATS. The stateless rules and the chain's own throw the same class, packages/rules'
 * RuleError (ChainError here), with the same HTTP statuses.
 */
export { isPolicyRefusal, RuleError as ChainError, reject } from "@p2pnode/rules";

/** A fault of this node (store inconsistency, corrupt row): 500, details stay in the log. */
export class ChainFault extends CodedError<"INTERNAL" | "CONFIG_INVALID"> {
  constructor(code: "INTERNAL" | "CONFIG_INVALID", message: string, details?: unknown) {
    super(code, message, details, code === "INTERNAL" ? 500 : 400);
    this.name = "ChainFault";
  }
}
