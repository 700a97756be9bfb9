import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  encodeSignedTransaction,
  encodeTransaction,
  headerFromJson,
  signedTransactionFromJson,
  type TransferTx,
  toHex,
} from "@p2pnode/codec";
import type { BlockHeaderJson, SignedTransactionJson } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import {
  accountFromMnemonic,
  addressHexOf,
  headerHash,
  meetsTarget,
  SIGNING_DOMAINS,
  signDomain,
  signingBytes,
  signingKeyFromSeed,
  signTransaction,
  txId,
  txRoot,
  verifyDomain,
  verifyTransaction,
} from "../src/index.js";

interface TxVector {
  chainId: string;
  tx: SignedTransactionJson;
  signingPrefix: string;
  txId: string;
}
const vectors: {
  account: { mnemonic: string; publicKey: string; address: string };
  transactions: TxVector[];
  header: { json: BlockHeaderJson; hash: string };
} = JSON.parse(readFileSync(join(import.meta.dirname, "vectors", "chain-signing.json"), "utf8"));
const account = accountFromMnemonic(vectors.account.mnemonic, 0);
const other = signingKeyFromSeed(new Uint8Array(32).fill(2));
const tx: TransferTx = {
  kind: "transfer",
  from: account.publicKey,
  to: new Uint8Array(20).fill(3),
  amount: 5n,
  fee: 1n,
  nonce: 0,
  memo: new Uint8Array(),
};

describe("chain signing vectors (test/vectors/chain-signing.json)", () => {
  it("derives the committed account", () => {
    expect(toHex(account.publicKey)).toBe(vectors.account.publicKey);
    expect(addressHexOf(account.publicKey)).toBe(vectors.account.address);
  });

  it.each(vectors.transactions)("re-signs the $chainId transaction to the same bytes and id", (v) => {
    const stx = signedTransactionFromJson(v.tx);
    expect(verifyTransaction(stx, v.chainId)).toBe(true);
    expect(toHex(signTransaction(stx.tx, v.chainId, account).signature)).toBe(v.tx.signature);
    expect(toHex(txId(stx))).toBe(v.txId);
    expect(toHex(txId(encodeSignedTransaction(stx)))).toBe(v.txId);
    expect(toHex(signingBytes(SIGNING_DOMAINS.tx, v.chainId, new Uint8Array()))).toBe(v.signingPrefix);
  });

  it("hashes the committed header", () => {
    expect(toHex(headerHash(headerFromJson(vectors.header.json)))).toBe(vectors.header.hash);
    expect(toHex(txRoot(vectors.transactions.map((t) => Buffer.from(t.txId, "hex"))))).toBe(
      vectors.header.json.txRoot,
    );
  });
});

describe("domain separation", () => {
  const payload = encodeTransaction(tx);
  const sig = signDomain(account, SIGNING_DOMAINS.tx, "p2pnode-devnet", payload);

  it("a signature verifies only in its own domain and on its own chain", () => {
    expect(verifyDomain(sig, SIGNING_DOMAINS.tx, "p2pnode-devnet", payload, account.publicKey)).toBe(true);
    expect(verifyDomain(sig, SIGNING_DOMAINS.tx, "p2pnode-main", payload, account.publicKey)).toBe(false);
    expect(verifyDomain(sig, SIGNING_DOMAINS.block, "p2pnode-devnet", payload, account.publicKey)).toBe(
      false,
    );
    expect(verifyDomain(sig, SIGNING_DOMAINS.tx, "p2pnode-devnet", payload, other.publicKey)).toBe(false);
  });

  it("lays out len(tag) ‖ tag ‖ len(chain) ‖ chain ‖ payload", () => {
    const bytes = signingBytes("p2pnode/tx/v1", "ab", Uint8Array.of(9));
    expect(toHex(bytes)).toBe(
      `0d${Buffer.from("p2pnode/tx/v1").toString("hex")}02${Buffer.from("ab").toString("hex")}09`,
    );
  });

  it("is unambiguous where plain concatenation would not be", () => {
    // Without length prefixes, chain "a" + payload "b..." equals chain "ab" + payload "...".
    const one = signingBytes(SIGNING_DOMAINS.tx, "a", Uint8Array.from(Buffer.from("b")));
    const two = signingBytes(SIGNING_DOMAINS.tx, "ab", new Uint8Array());
    expect(toHex(one)).not.toBe(toHex(two));
  });

  it.each([
    ["a tag outside the form", () => signingBytes("tx" as never, "c", new Uint8Array())],
    ["an uppercase chain id", () => signingBytes(SIGNING_DOMAINS.tx, "Main", new Uint8Array())],
    ["an empty chain id", () => signingBytes(SIGNING_DOMAINS.tx, "", new Uint8Array())],
    ["a 64-char chain id", () => signingBytes(SIGNING_DOMAINS.tx, "a".repeat(64), new Uint8Array())],
  ])("refuses %s", (_name, fn) => {
    expect(fn).toThrow(expect.objectContaining({ code: "BAD_DOMAIN" }));
  });
});

describe("transactions", () => {
  it("a signed tx verifies; replay on another chain, tampering or another sender does not", () => {
    const stx = signTransaction(tx, "p2pnode-devnet", account);
    expect(verifyTransaction(stx, "p2pnode-devnet")).toBe(true);
    expect(verifyTransaction(stx, "p2pnode-main")).toBe(false);
    expect(verifyTransaction({ ...stx, tx: { ...tx, amount: 6n } }, "p2pnode-devnet")).toBe(false);
    expect(verifyTransaction({ ...stx, tx: { ...tx, nonce: 1 } }, "p2pnode-devnet")).toBe(false);
    expect(verifyTransaction({ ...stx, tx: { ...tx, from: other.publicKey } }, "p2pnode-devnet")).toBe(false);
  });

  it("refuses to sign a tx with a key that is not tx.from's", () => {
    expect(() => signTransaction(tx, "p2pnode-devnet", other)).toThrow(
      expect.objectContaining({ code: "BAD_KEY" }),
    );
  });

  it("the id commits to the signature", () => {
    const a = signTransaction(tx, "p2pnode-devnet", account);
    const b = signTransaction(tx, "p2pnode-main", account);
    expect(toHex(txId(a))).not.toBe(toHex(txId(b)));
  });
});

describe("proof of work", () => {
  it("meetsTarget compares big-endian, inclusive", () => {
    const t = new Uint8Array(32);
    t[1] = 0x10;
    const h = (first: number, second: number) => Uint8Array.of(first, second, ...new Uint8Array(30));
    expect(meetsTarget(h(0, 0x10), t)).toBe(true);
    expect(meetsTarget(h(0, 0x0f), t)).toBe(true);
    expect(meetsTarget(Uint8Array.of(0, 0x10, 1, ...new Uint8Array(29)), t)).toBe(false);
    expect(meetsTarget(h(1, 0), t)).toBe(false);
  });

  it("headerHash of bytes and of the decoded header agree", () => {
    const header = headerFromJson(vectors.header.json);
    expect(() => headerHash(new Uint8Array(175))).toThrow(/176 bytes/);
    expect(toHex(headerHash(header))).toBe(vectors.header.hash);
  });
});
