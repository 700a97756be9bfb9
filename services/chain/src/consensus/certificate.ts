import {
  checkMask,
  type DsCertificate,
  decodeCertificate,
  maskSigners,
  SIGNATURE_BYTES,
} from "@p2pnode/codec";
import { ConsensusRejection, rejectionOfDecodeError } from "./rejection.js";
import { checkVote, defaultVerify, type VerifyFn } from "./signatures.js";
import { certificateQuorum, type ValidatorSet } from "./validator-set.js";

/** A certificate that checked out: the slot it finalizes and who signed. */
export interface CheckedCertificate {
  slot: number;
  signers: number[];
}

/**
 * Checks a commit certificate for `blockHash` against the genesis validator keys: mask sized for
 * the validator count with no bit past it, one signature per bit, at least f + 1 signers, and
 * every signature a valid commit vote for (chain, slot, blockHash). Anything that holds the
 * genesis can run it: validators, full nodes, light nodes. Throws a ConsensusRejection with the
 * reason otherwise.
 */
export function verifyCertificate(
  set: ValidatorSet,
  blockHash: Uint8Array,
  certificate: DsCertificate | Uint8Array,
  verifyFn: VerifyFn = defaultVerify,
): CheckedCertificate {
  const c = certificate instanceof Uint8Array ? decodeOrReject(certificate, set.keys.length) : certificate;
  try {
    checkMask(c.mask, set.keys.length, "certificate");
  } catch (err) {
    throw rejectionOfDecodeError(err);
  }
  const signers = maskSigners(c.mask);
  if (c.signatures.length < signers.length) {
    throw new ConsensusRejection("MISSING_SIGNATURE", "certificate: a signer bit without its signature");
  }
  if (c.signatures.length > signers.length) {
    throw new ConsensusRejection("EXTRA_SIGNATURE", "certificate: more signatures than signer bits");
  }
  if (signers.length < certificateQuorum(set)) {
    throw new ConsensusRejection(
      "TOO_FEW_SIGNERS",
      `certificate: ${signers.length} signers, a certificate needs f + 1 = ${certificateQuorum(set)}`,
    );
  }
  signers.forEach((signer, i) => {
    const sig = c.signatures[i]!;
    if (
      sig.length !== SIGNATURE_BYTES ||
      !checkVote(set, verifyFn, "commit", c.slot, blockHash, signer, sig)
    ) {
      throw new ConsensusRejection(
        "BAD_SIGNATURE",
        `certificate: validator ${signer}'s signature is not a commit of this block in slot ${c.slot}`,
        { signer },
      );
    }
  });
  return { slot: c.slot, signers };
}

function decodeOrReject(bytes: Uint8Array, n: number): DsCertificate {
  try {
    return decodeCertificate(bytes, n);
  } catch (err) {
    throw rejectionOfDecodeError(err);
  }
}
