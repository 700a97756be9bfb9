import { type DsCertificate, encodeCertificate, maskOf, toHex } from "@p2pnode/codec";
import { signVote } from "@p2pnode/crypto";
import type { Genesis } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import {
  CommitTally,
  ConsensusRejection,
  defaultVerify,
  validatorSetFromGenesis,
  verifyCertificate,
} from "../../src/consensus/index.js";
import { CHAIN, validatorKeys } from "./harness.js";

const N = 4;
const keys = validatorKeys(N);
/** What a light node knows: the genesis file, nothing else. */
const genesis: Genesis = {
  chainId: CHAIN,
  timestamp: 1_000_000,
  allocations: [],
  consensus: {
    kind: "dolev-strong",
    targetBlockTimeMs: 1_000,
    initialTarget: "f".repeat(64),
    retargetWindow: 10,
    blockReward: "50",
    f: 1,
    roundMs: 100,
    slotMs: 300,
  },
  validators: keys.map((k) => ({ publicKey: toHex(k.publicKey) })),
};
const set = validatorSetFromGenesis(genesis);
const hash = new Uint8Array(32).fill(0xab);
const SLOT = 9;
const commit = (signer: number, over: { slot?: number; chain?: string; blockHash?: Uint8Array } = {}) =>
  signVote(keys[signer]!, "commit", over.chain ?? CHAIN, over.slot ?? SLOT, over.blockHash ?? hash);
const cert = (signers: number[], signatures = signers.map((s) => commit(s))): DsCertificate => ({
  slot: SLOT,
  mask: maskOf(signers, N),
  signatures,
});

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return "OK";
  } catch (err) {
    if (err instanceof ConsensusRejection) return err.code;
    throw err;
  }
}

describe("verifyCertificate (anyone holding the genesis: validators, full and light nodes)", () => {
  it("accepts f + 1 commit signatures from the genesis validators, as an object or as bytes", () => {
    expect(verifyCertificate(set, hash, cert([0, 3]))).toEqual({ slot: SLOT, signers: [0, 3] });
    expect(verifyCertificate(set, hash, encodeCertificate(cert([0, 1, 2, 3]))).signers).toEqual([0, 1, 2, 3]);
  });

  it.each([
    ["one signer, f + 1 = 2 needed", "TOO_FEW_SIGNERS", () => cert([2])],
    [
      "a relay signature instead of a commit one",
      "BAD_SIGNATURE",
      () => cert([0, 1], [commit(0), signVote(keys[1]!, "relay", CHAIN, SLOT, hash)]),
    ],
    [
      "a signature from another slot",
      "BAD_SIGNATURE",
      () => cert([0, 1], [commit(0), commit(1, { slot: SLOT + 1 })]),
    ],
    [
      "a signature from another chain",
      "BAD_SIGNATURE",
      () => cert([0, 1], [commit(0, { chain: "other-net" }), commit(1)]),
    ],
    [
      "a signature on another block",
      "BAD_SIGNATURE",
      () => cert([0, 1], [commit(0), commit(1, { blockHash: new Uint8Array(32) })]),
    ],
    [
      "one validator's signature under another's bit",
      "BAD_SIGNATURE",
      () => cert([0, 1], [commit(0), commit(2)]),
    ],
    [
      "the same signature twice (a duplicate signer)",
      "BAD_SIGNATURE",
      () => cert([0, 1], [commit(0), commit(0)]),
    ],
    ["a bit without its signature", "MISSING_SIGNATURE", () => cert([0, 1, 2], [commit(0), commit(1)])],
    ["a signature without a bit", "EXTRA_SIGNATURE", () => cert([0, 1], [commit(0), commit(1), commit(2)])],
    [
      "a 2-byte mask for 4 validators",
      "MASK_SIZE",
      () => ({ ...cert([0, 1]), mask: Uint8Array.of(0x03, 0x00) }),
    ],
    ["a bit past the validators", "UNKNOWN_SIGNER", () => ({ ...cert([0, 1]), mask: Uint8Array.of(0x13) })],
  ])("refuses %s: %s", (_name, reason, make) => {
    expect(reasonOf(() => verifyCertificate(set, hash, make() as DsCertificate))).toBe(reason);
  });

  it("refuses certificate bytes that do not decode with the decoder's reason", () => {
    const bytes = encodeCertificate(cert([0, 1]));
    expect(reasonOf(() => verifyCertificate(set, hash, bytes.subarray(0, -64)))).toBe("MISSING_SIGNATURE");
    expect(reasonOf(() => verifyCertificate(set, hash, Uint8Array.of(9)))).toBe("MALFORMED");
  });
});

describe("CommitTally (what an observer runs to build certificates from commit votes)", () => {
  it("forms the certificate at exactly f + 1 votes, each signer counted once", () => {
    const tally = new CommitTally(set, SLOT, defaultVerify);
    const vote = (signer: number) => ({ slot: SLOT, blockHash: hash, signer, signature: commit(signer) });
    expect(tally.add(vote(3))).toBeUndefined();
    expect(tally.add(vote(3))).toMatchObject({ reason: "DUPLICATE_SIGNER" });
    expect(tally.add({ ...vote(0), signature: commit(1) })).toMatchObject({ reason: "BAD_SIGNATURE" });
    const formed = tally.add(vote(1));
    expect(
      formed && "certificate" in formed && verifyCertificate(set, hash, formed.certificate).signers,
    ).toEqual([1, 3]);
    expect(tally.add(vote(2))).toBeUndefined();
    expect(tally.certificate?.certificate.signatures).toHaveLength(2);
  });
});

describe("validator set from the genesis", () => {
  it("refuses a validator key no signature could verify under, in one line", () => {
    const bad = structuredClone(genesis);
    bad.validators[1] = { publicKey: `01${"00".repeat(31)}` };
    expect(() => validatorSetFromGenesis(bad)).toThrow(
      /^genesis: validators\.1\.publicKey: small-order public key$/,
    );
  });

  it("refuses a proof-of-work genesis", () => {
    const pow = structuredClone(genesis);
    pow.consensus = { ...pow.consensus, kind: "pow", f: undefined, roundMs: undefined, slotMs: undefined };
    expect(() => validatorSetFromGenesis(pow)).toThrow(/not dolev-strong/);
  });
});
