import { blockToJson, encodeBlock, encodeSignedTransaction, MAX_BLOCK_TXS, toHex } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import {
  checkBlock,
  checkBody,
  checkNotInFuture,
  checkPow,
  decodeBlockJson,
  prepareBlock,
  statelessVerdict,
} from "../src/index.js";
import { block, CHAIN_ID, flip, refusal, transfer } from "./fixtures.js";

/** A target only a few hashes in 2^256 meet: the fixture's short nonce search fails it. */
const hard = (h: { target: Uint8Array }) => {
  h.target = new Uint8Array(32);
  h.target[31] = 1;
};

describe("stateless block rules", () => {
  it("accept a well-formed block and give its hash and stored encoding", () => {
    const b = block([transfer(0), transfer(1)]);
    const p = checkBlock(b, CHAIN_ID, toHex(headerHash(b.header)));
    expect(p.hashHex).toBe(toHex(headerHash(b.header)));
    expect(p.body).toEqual(encodeBlock(b));
    expect(p.txs.map((t) => (t.stx.tx.kind === "transfer" ? t.stx.tx.nonce : -1))).toEqual([0, 1]);
  });

  it("prepare a block the same when its txs are known (a mempool) as when they are not", () => {
    const b = block([transfer(0), transfer(1), transfer(2)]);
    const fresh = prepareBlock(b, CHAIN_ID);
    const body = encodeBlock(b);
    const askedById: string[] = [];
    // tx 0 known by its bytes (no hashing), tx 1 by its id, tx 2 not known at all.
    const known = {
      byId: (idHex: string) => {
        askedById.push(idHex);
        return idHex === fresh.txs[1]!.idHex ? fresh.txs[1] : undefined;
      },
      byBytes: (bytes: Uint8Array) =>
        Buffer.compare(bytes, fresh.txs[0]!.bytes) === 0 ? fresh.txs[0] : undefined,
    };
    for (const reused of [
      prepareBlock(b, CHAIN_ID, undefined, undefined, known),
      prepareBlock(b, CHAIN_ID, undefined, body, known),
    ]) {
      expect(reused.txs.map((t) => [t.idHex, t.senderHex])).toEqual(
        fresh.txs.map((t) => [t.idHex, t.senderHex]),
      );
      expect(reused.body).toEqual(fresh.body);
    }
    // The tx found by its bytes is not looked up by id again.
    expect(askedById).toEqual([
      fresh.txs[1]!.idHex,
      fresh.txs[2]!.idHex,
      fresh.txs[1]!.idHex,
      fresh.txs[2]!.idHex,
    ]);
  });

  const cases: [string, () => unknown][] = [
    ["INVALID_POW", () => checkBlock(block(undefined, hard), CHAIN_ID)],
    ["INVALID_HASH", () => checkBlock(block(), CHAIN_ID, "00".repeat(32))],
    [
      "BAD_VERSION",
      () => {
        const b = block();
        b.header.version = 2;
        return checkBlock(b, CHAIN_ID);
      },
    ],
    [
      "BAD_STATE_ROOT",
      () =>
        checkBlock(
          block(undefined, (h) => {
            h.stateRoot[5] = 1;
          }),
          CHAIN_ID,
        ),
    ],
    [
      "BAD_MERKLE_ROOT",
      () =>
        checkBlock(
          block(undefined, (h) => {
            h.txRoot = flip(h.txRoot);
          }),
          CHAIN_ID,
        ),
    ],
    ["DUPLICATE", () => checkBlock(block([transfer(0), transfer(0)]), CHAIN_ID)],
    [
      "INVALID_SIGNATURE",
      () => checkBlock(block([{ ...transfer(0), signature: flip(transfer(0).signature) }]), CHAIN_ID),
    ],
    ["INVALID_SIGNATURE", () => checkBlock(block([transfer(0, 1n, "another-chain")]), CHAIN_ID)],
    [
      "OVERSIZE",
      () => checkBlock({ ...block(), txs: new Array(MAX_BLOCK_TXS + 1).fill(transfer(0)) }, CHAIN_ID),
    ],
    [
      "BAD_VERSION",
      () =>
        decodeBlockJson({ ...blockToJson(block()), header: { ...blockToJson(block()).header, version: 9 } }),
    ],
    [
      "DECODE_FAILED",
      () =>
        decodeBlockJson({ ...blockToJson(block()), header: { ...blockToJson(block()).header, miner: "ab" } }),
    ],
    ["BAD_TIMESTAMP", () => checkNotInFuture(block().header, 1_700_000_000_000 - 60_001, 60_000)],
  ];
  it.each(cases)("refuse %s", (code, fn) => {
    expect(refusal(fn)).toBe(code);
  });

  it("keep a timestamp up to the allowed drift ahead of the clock", () => {
    expect(refusal(() => checkNotInFuture(block().header, 1_700_000_000_000 - 60_000, 60_000))).toBe(
      "ACCEPTED",
    );
  });

  it("check a header's proof of work alone and return its hash (headers-first sync)", () => {
    const b = block();
    expect(checkPow(b.header)).toEqual(headerHash(b.header));
    expect(refusal(() => checkPow(block(undefined, hard).header))).toBe("INVALID_POW");
  });

  it("skip the signatures of txs already verified (the mempool's), nothing else", () => {
    const forged = { ...transfer(0), signature: flip(transfer(0).signature) };
    const p = prepareBlock(block([forged]), CHAIN_ID);
    expect(refusal(() => checkBody(p, CHAIN_ID, () => true))).toBe("ACCEPTED");
    expect(refusal(() => checkBody(p, CHAIN_ID, () => false))).toBe("INVALID_SIGNATURE");
    expect(
      refusal(() => checkBody(prepareBlock(block([forged, forged]), CHAIN_ID), CHAIN_ID, () => true)),
    ).toBe("DUPLICATE");
  });
});

describe("the stateless verdict on wire bytes (a peer's validation request)", () => {
  const cases: [string, "tx" | "block", () => Uint8Array][] = [
    ["", "tx", () => encodeSignedTransaction(transfer(0))],
    ["", "block", () => encodeBlock(block())],
    ["INVALID_SIGNATURE", "tx", () => encodeSignedTransaction(transfer(0, 1n, "another-chain"))],
    ["INVALID_POW", "block", () => encodeBlock(block(undefined, hard))],
    [
      "BAD_MERKLE_ROOT",
      "block",
      () =>
        encodeBlock(
          block(undefined, (h) => {
            h.txRoot = flip(h.txRoot);
          }),
        ),
    ],
    ["INVALID_SIGNATURE", "block", () => encodeBlock(block([transfer(0, 1n, "another-chain")]))],
    // Early is not invalid: the clock bound is the chain's, at the time it connects the block.
    [
      "",
      "block",
      () =>
        encodeBlock(
          block(undefined, (h) => {
            h.timestamp = Date.now() + 86_400_000;
          }),
        ),
    ],
    ["DECODE_FAILED", "tx", () => new Uint8Array([1, 2, 3])],
    ["DECODE_FAILED", "block", () => new Uint8Array(10)],
  ];
  it.each(cases)("answers %j for a %s", (reason, kind, bytes) => {
    expect(statelessVerdict(kind, bytes(), CHAIN_ID)).toEqual({ ok: reason === "", reason });
  });
});
