import type { Chain } from "../chain.js";
import type { ChainIntake } from "../intake.js";

/** What the REST routes need: the chain for reads, the intake for writes, the store file for /validate. */
export interface RouteDeps {
  chain: Chain;
  intake: ChainIntake;
  /** Runs the full re-validation (POST /validate); one at a time. */
  validate: (signatures: boolean) => Promise<import("@p2pnode/types").ChainValidationReport>;
}
