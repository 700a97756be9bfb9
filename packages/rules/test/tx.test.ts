import {
  encodeSignedTransaction,
  MAX_MEMO_BYTES,
  signedTransactionToJson,
  type TransferTx,
  toHex,
} from "@p2pnode/codec";
import { addressHexOf, txId } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { checkSignature, checkTx, prepareTx, RuleError, reject, txFromJson } from "../src/index.js";
import { alice, CHAIN_ID, flip, refusal, transfer } from "./fixtures.js";

const rules = { chainId: CHAIN_ID, minFee: 1n };

describe("stateless transaction rules", () => {
  it("accept a well-formed signed transfer and identify it as crypto does", () => {
    const stx = transfer(0);
    const t = checkTx(stx, rules, toHex(txId(stx)));
    expect(t.idHex).toBe(toHex(txId(stx)));
    expect(t.bytes).toEqual(encodeSignedTransaction(stx));
    expect(t.senderHex).toBe(addressHexOf(alice.publicKey));
  });

  const cases: [string, () => unknown][] = [
    ["FEE_TOO_LOW", () => checkTx(transfer(0, 0n), rules)],
    ["INVALID_HASH", () => checkTx(transfer(0), rules, "00".repeat(32))],
    ["INVALID_SIGNATURE", () => checkTx({ ...transfer(0), signature: flip(transfer(0).signature) }, rules)],
    ["INVALID_SIGNATURE", () => checkTx(transfer(0, 1n, "another-chain"), rules)],
    [
      "DECODE_FAILED",
      () => {
        const stx = transfer(0);
        stx.tx = { ...(stx.tx as TransferTx), memo: new Uint8Array(MAX_MEMO_BYTES + 1) };
        return prepareTx(stx, rules);
      },
    ],
    [
      "DECODE_FAILED",
      () => txFromJson({ ...signedTransactionToJson(transfer(0)), signature: "ab" } as never),
    ],
  ];
  it.each(cases)("refuse %s", (code, fn) => {
    expect(refusal(fn)).toBe(code);
  });

  it("answer with the HTTP status of the code: 409 for a duplicate, 429 for a full mempool", () => {
    expect(reject("DUPLICATE", "x").status).toBe(409);
    expect(reject("MEMPOOL_FULL", "x").status).toBe(429);
    expect(reject("BAD_NONCE", "x").status).toBe(400);
  });

  it("leave the signature to checkSignature, which names the tx and its index in a block", () => {
    const forged = { ...transfer(1), signature: flip(transfer(1).signature) };
    const t = prepareTx(forged, rules);
    let err: unknown;
    try {
      checkSignature(t, CHAIN_ID, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleError);
    expect(err).toMatchObject({ code: "INVALID_SIGNATURE", status: 400, details: { id: t.idHex, index: 3 } });
  });
});
