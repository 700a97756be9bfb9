import { blockToJson, encodeBlock, encodeSignedTransaction, MAX_BLOCK_TXS, toHex } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import {
  checkBlock,
  checkBody,
  checkNotInFuture,
  checkPow,
  decodeBlockBytes,
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

  it("prepare a block decoded from bytes with what its decode found, not asking the pool again", () => {
    const b = block([transfer(0), transfer(1), transfer(2)]);
    const fresh = prepareBlock(b, CHAIN_ID);
    const body = encodeBlock(b);
    let askedByBytes = 0;
    // txs 0 and 1 are pooled (found by their bytes), tx 2 is not.
    const known = {
      byId: () => undefined,
      byBytes: (bytes: Uint8Array) => {
        askedByBytes++;
        return fresh.txs.slice(0, 2).find((t) => Buffer.compare(bytes, t.bytes) === 0);
      },
    };
    const same = (p: ReturnType<typeof prepareBlock>) =>
      expect(p.txs.map((t) => [t.idHex, t.senderHex, toHex(t.bytes)])).toEqual(
        fresh.txs.map((t) => [t.idHex, t.senderHex, toHex(t.bytes)]),
      );
    const decoded = decodeBlockBytes(body, known);
    expect(decoded.txs[0]).toBe(fresh.txs[0]!.stx);
    expect(askedByBytes).toBe(3);
    same(prepareBlock(decoded, CHAIN_ID, undefined, body, known));
    expect(askedByBytes).toBe(4); // only tx 2, which the pool did not have then (it may now)
    // Other bytes than the ones decoded (even equal ones): asked again, as without a decode.
    same(prepareBlock(decoded, CHAIN_ID, undefined, Uint8Array.from(body), known));
    expect(askedByBytes).toBe(7);
    // A tx replaced in the decoded block after its decode is not taken for what was found.
    const other = decodeBlockBytes(body, known);
    other.txs[0] = block([transfer(0)]).txs[0]!;
    const p = prepareBlock(other, CHAIN_ID, undefined, body, known);
    expect(p.txs[0]!.stx).toBe(other.txs[0]);
    expect(p.txs[0]!.idHex).toBe(fresh.txs[0]!.idHex); // the frame's tx: known.byBytes asked again
    expect(askedByBytes).toBe(12);
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
