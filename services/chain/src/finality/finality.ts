import { type DsEvidence, decodeCertificate, decodeEvidence, maskSigners, toHex } from "@p2pnode/codec";
import type { CertificateJson, EvidenceJson } from "@p2pnode/types";
import { ConsensusRejection, verifyCertificate } from "../consensus/index.js";
import type { ValidatorSet } from "../consensus/validator-set.js";
import { reject } from "../errors.js";
import type { FinalityStore, StoredCertificate } from "./finality-store.js";

/**
 * The chain's side of a dolev-strong network: a block is stored only with a certificate that
 * checks out against the genesis validators (no proof of work), certificates are stored with
 * their blocks, and every stored block is final (the chain only ever extends its tip).
 */
export class Finality {
  constructor(
    readonly set: ValidatorSet,
    readonly store: FinalityStore,
  ) {}

  /**
   * Checks a block's certificate before anything of the block is stored: present, valid for
   * this block hash against the genesis keys, and for a slot after its parent's. Throws a
   * ChainError (NO_CERTIFICATE, BAD_CERTIFICATE) otherwise.
   */
  check(
    blockHash: Uint8Array,
    height: number,
    parentHash: Uint8Array,
    bytes?: Uint8Array,
  ): StoredCertificate {
    if (bytes === undefined || bytes.length === 0) {
      throw reject("NO_CERTIFICATE", "a dolev-strong network takes a block only with its commit certificate");
    }
    let slot: number;
    try {
      slot = verifyCertificate(this.set, blockHash, bytes).slot;
    } catch (err) {
      if (!(err instanceof ConsensusRejection)) throw err;
      throw reject("BAD_CERTIFICATE", `certificate: ${err.code}: ${err.message}`, { reason: err.code });
    }
    const parentSlot = this.slotOf(parentHash);
    if (parentSlot !== undefined && slot <= parentSlot) {
      throw reject(
        "BAD_CERTIFICATE",
        `certificate slot ${slot} is not after the parent's slot ${parentSlot}`,
        {
          reason: "SLOT_ORDER",
        },
      );
    }
    return { slot, height, bytes };
  }

  /** The slot of a stored block's certificate; 0 for the genesis block (no certificate). */
  slotOf(hash: Uint8Array): number | undefined {
    return this.store.certificate(hash)?.slot;
  }

  certificateJson(hash: Uint8Array): CertificateJson | null {
    const c = this.store.certificate(hash);
    return c ? certificateToJson(c.bytes, this.set.keys.length) : null;
  }

  evidenceJson(limit: number): EvidenceJson[] {
    return this.store.evidence(limit).map((e) => ({
      ...evidenceToJson(decodeEvidence(e.bytes, this.set.keys.length)),
      hex: toHex(e.bytes),
      recordedAt: e.recordedAt,
    }));
  }
}

export function certificateToJson(bytes: Uint8Array, n: number): CertificateJson {
  const c = decodeCertificate(bytes, n);
  return {
    slot: c.slot,
    bitmask: toHex(c.mask),
    signers: maskSigners(c.mask),
    signatures: c.signatures.map((s) => toHex(s)),
    hex: toHex(bytes),
  };
}

function evidenceToJson(e: DsEvidence): Omit<EvidenceJson, "hex" | "recordedAt"> {
  return {
    slot: e.slot,
    leader: e.leader,
    first: { blockHash: toHex(e.first.blockHash), signature: toHex(e.first.signature) },
    second: { blockHash: toHex(e.second.blockHash), signature: toHex(e.second.signature) },
  };
}
