import { type DsCertificate, type DsCommitVote, maskOf, toHex } from "@p2pnode/codec";
import { type Refusal, refuse } from "./rejection.js";
import { checkVote, type VerifyFn } from "./signatures.js";
import { certificateQuorum, type ValidatorSet } from "./validator-set.js";

interface HashVotes {
  blockHash: Uint8Array;
  signatures: Map<number, Uint8Array>;
}

/**
 * Collects the commit votes of one slot and forms the certificate as soon as one block has
 * f + 1 valid ones. Each signer counts once; a signer that commits to two blocks is refused
 * (CONFLICTING_COMMIT) and its first vote stands. Memory is bounded by the validator count.
 */
export class CommitTally {
  private readonly votes = new Map<string, HashVotes>();
  private readonly voteOf = new Map<number, string>();
  private formed: DsCertificate | undefined;
  private formedHash: Uint8Array | undefined;

  constructor(
    private readonly set: ValidatorSet,
    readonly slot: number,
    private readonly verifyFn: VerifyFn,
  ) {}

  /** The certificate, once formed, and the block it finalizes. */
  get certificate(): { certificate: DsCertificate; blockHash: Uint8Array } | undefined {
    return this.formed && { certificate: this.formed, blockHash: this.formedHash! };
  }

  /**
   * Counts one vote; answers the certificate when this vote completed it, or the refusal of a
   * vote that does not count.
   */
  add(vote: DsCommitVote): { certificate: DsCertificate } | Refusal | undefined {
    const key = toHex(vote.blockHash);
    const previous = this.voteOf.get(vote.signer);
    if (previous === key) {
      return refuse("DUPLICATE_SIGNER", `commit: validator ${vote.signer} already counted`);
    }
    if (
      !checkVote(this.set, this.verifyFn, "commit", this.slot, vote.blockHash, vote.signer, vote.signature)
    ) {
      return refuse("BAD_SIGNATURE", `commit: not validator ${vote.signer}'s commit of this block`);
    }
    if (previous !== undefined) {
      return refuse(
        "CONFLICTING_COMMIT",
        `commit: validator ${vote.signer} committed two blocks in slot ${this.slot}`,
      );
    }
    this.voteOf.set(vote.signer, key);
    let entry = this.votes.get(key);
    if (!entry) {
      entry = { blockHash: vote.blockHash, signatures: new Map() };
      this.votes.set(key, entry);
    }
    entry.signatures.set(vote.signer, vote.signature);
    if (this.formed || entry.signatures.size < certificateQuorum(this.set)) return undefined;
    const signers = [...entry.signatures.keys()].sort((a, b) => a - b);
    this.formed = {
      slot: this.slot,
      mask: maskOf(signers, this.set.keys.length),
      signatures: signers.map((s) => entry.signatures.get(s)!),
    };
    this.formedHash = entry.blockHash;
    return { certificate: this.formed };
  }
}
