import { ChainDeliverySubjects } from "./chain-delivery-subjects.js";
import { ChainReadSubjects } from "./chain-read-subjects.js";
import { ChainSubjects, RejectReason } from "./chain-subjects.js";
import { ComputeRelaySubjects, ComputeSubjects } from "./compute.js";
import { ConsensusRejectReason } from "./consensus.js";
import { ConsensusSubjects } from "./consensus-subjects.js";
import { DhtSubjects } from "./dht.js";
import { GatewaySubjects } from "./gateway.js";
import { type EndpointDef, type EventDef, NodeSubjects } from "./subjects.js";
import { ZkpSubjects } from "./zkp.js";

/** Every subject of a node in one list: for docs, `$SRV` checks and the uniqueness test. */
export const SUBJECT_CATALOG: readonly (EndpointDef | EventDef)[] = [
  ...Object.values(NodeSubjects),
  ...Object.values(ChainSubjects),
  ...Object.values(ChainReadSubjects),
  ...Object.values(ChainDeliverySubjects),
  ...Object.values(DhtSubjects),
  ...Object.values(GatewaySubjects),
  ...Object.values(ZkpSubjects),
  ...Object.values(ComputeSubjects),
  ...Object.values(ConsensusSubjects),
  ...Object.values(ComputeRelaySubjects),
];

/**
 * The domain code sets declared in this package, by name: what an endpoint's `errors` may list
 * (DomainCode). The other sets live with their packages (README, "Errors").
 */
export const DOMAIN_CODE_SETS: Readonly<Record<string, readonly string[]>> = {
  RejectReason: RejectReason.options,
  ConsensusRejectReason: ConsensusRejectReason.options,
};
