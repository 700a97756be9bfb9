/** Dolev-Strong consensus among the genesis validators (README.md in this folder). */
export { type CheckedCertificate, verifyCertificate } from "./certificate.js";
export { CommitTally } from "./commit-tally.js";
export {
  DolevStrong,
  type DolevStrongOptions,
  type DolevStrongStats,
  defaultDolevStrongOptions,
} from "./dolev-strong.js";
export { evidenceOf, verifyEvidence } from "./evidence.js";
export type * from "./modules.js";
export { ConsensusRejection, rejectionOfDecodeError } from "./rejection.js";
export { checkVote, defaultVerify, type VerifyFn } from "./signatures.js";
export {
  certificateQuorum,
  decisionTime,
  leaderOf,
  roundAt,
  slotAt,
  slotStart,
  type ValidatorSet,
  validatorSetFromGenesis,
} from "./validator-set.js";
