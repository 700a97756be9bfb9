import { consensusParams, type NodeNetwork, type Role } from "@p2pnode/types";
import { SupervisorError } from "./errors.js";

/**
 * P2PNODE_ROLE=validator signs blocks in a dolev-strong network, with the node identity key the
 * genesis lists: refuse to start a validator anywhere else, in one line. (Any other role on a
 * dolev-strong network follows certificates, listed key or not.)
 */
export function checkValidatorRole(role: Role, network: NodeNetwork, publicKey: Uint8Array): void {
  if (role !== "validator") return;
  const p = consensusParams(network.genesis);
  if (p.kind !== "dolev-strong") {
    throw new SupervisorError(
      "ROLE_INVALID",
      "P2PNODE_ROLE=validator needs a dolev-strong network (genesis consensus.kind); this one is proof of work",
    );
  }
  const key = Buffer.from(publicKey).toString("hex");
  if (!p.validators.includes(key)) {
    throw new SupervisorError(
      "ROLE_INVALID",
      `P2PNODE_ROLE=validator, but this node's identity key ${key} is not among the genesis validators`,
    );
  }
}
