/** Dolev-Strong consensus messages, certificates and evidence (README.md "Consensus"). */
export {
  CERTIFICATE_FIXED_BYTES,
  canonicalEvidence,
  type DsCertificate,
  type DsEvidence,
  EVIDENCE_BYTES,
  encodeCertificate,
  encodeEvidence,
  maxCertificateBytes,
  type SignedHash,
} from "./certificate.js";
export {
  certificateFromJson,
  certificateToJson,
  type DsCertificateJson,
  type DsEvidenceJson,
  type DsMessageJson,
  dsMessageFromJson,
  dsMessageToJson,
  evidenceFromJson,
  evidenceToJson,
} from "./json.js";
export {
  COMMIT_VOTE_BYTES,
  DS_FORMAT_VERSION,
  type DsCommitVote,
  type DsProposal,
  type DsRelay,
  encodeVotePayload,
  encodeVotePayloadInto,
  MAX_PROPOSAL_BYTES,
  maxRelayBytes,
  PROPOSAL_FIXED_BYTES,
  RELAY_FIXED_BYTES,
  SIGNATURE_BYTES,
  VOTE_PAYLOAD_BYTES,
} from "./layouts.js";
export { checkMask, emptyMask, hasBit, maskBytes, maskOf, maskSigners, popcount, withBit } from "./mask.js";
export {
  DS_MESSAGE_CODES,
  type DsMessage,
  type DsMessageKind,
  decodeCertificate,
  decodeDsMessage,
  decodeEvidence,
  dsMaxBodyBytes,
  encodeDsMessage,
  peekDsMessageKind,
} from "./messages.js";
