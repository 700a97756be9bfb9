import {
  type BlockHeader,
  encodeBlock,
  encodeHeader,
  encodeSignedTransaction,
  encodeTransaction,
  type SignedTransaction,
  signedTransactionToJson,
  toHex,
} from "@p2pnode/codec";
import {
  accountFromMnemonic,
  headerHash,
  merkleProof,
  merkleRoot,
  SIGNING_DOMAINS,
  signingBytes,
  signTransaction,
  txId,
} from "../src/index.js";
import { MNEMONIC } from "./chain-cases.js";
import { dhtSigningVectors } from "./dht-signing-cases.js";
import { handshakeVectors } from "./handshake-cases.js";

/*
 * Inputs of test/vectors/protocol-signing.json: every signed byte string of the protocol with
 * real keys (signing prefixes, a block of signed transfers with its ids, Merkle root and proof,
 * the P2P handshake and first frames, the DHT's records and datagrams). PROTOCOL.md in
 * packages/codec points here; test/protocol-signing.test.ts recomputes every value.
 */

export const BLOCK_CHAIN_ID = "p2pnode-devnet";
const text = (s: string) => new TextEncoder().encode(s);

export function blockTransfers(): SignedTransaction[] {
  const account = accountFromMnemonic(MNEMONIC, 0);
  return [0, 1].map((nonce) =>
    signTransaction(
      {
        kind: "transfer",
        from: account.publicKey,
        to: Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i),
        amount: 1_000_000n + BigInt(nonce),
        fee: 10n,
        nonce,
        memo: text(nonce === 0 ? "first" : ""),
      },
      BLOCK_CHAIN_ID,
      account,
    ),
  );
}

export function blockHeaderOf(txs: SignedTransaction[]): BlockHeader {
  return {
    version: 1,
    height: 1,
    prevHash: new Uint8Array(32).fill(0xab),
    txRoot: merkleRoot(txs.map((t) => txId(t))),
    stateRoot: new Uint8Array(32),
    timestamp: 1_700_000_000_000,
    target: Uint8Array.from([0x00, 0xff, ...new Array(30).fill(0xff)]),
    miner: accountFromMnemonic(MNEMONIC, 0).address,
    nonce: 42n,
  };
}

function blockVectors() {
  const txs = blockTransfers();
  const header = blockHeaderOf(txs);
  const ids = txs.map((t) => txId(t));
  const proof = merkleProof(ids, 1);
  return {
    chainId: BLOCK_CHAIN_ID,
    transactions: txs.map((stx) => ({
      json: signedTransactionToJson(stx),
      unsigned: toHex(encodeTransaction(stx.tx)),
      signedBytes: toHex(signingBytes(SIGNING_DOMAINS.tx, BLOCK_CHAIN_ID, encodeTransaction(stx.tx))),
      signature: toHex(stx.signature),
      hex: toHex(encodeSignedTransaction(stx)),
      txId: toHex(txId(stx)),
    })),
    txRoot: toHex(header.txRoot),
    header: toHex(encodeHeader(header)),
    blockHash: toHex(headerHash(header)),
    block: toHex(encodeBlock({ header, txs })),
    proofOfTx1: { index: proof.index, size: proof.size, path: proof.path.map(toHex) },
  };
}

/** Leaves "a", "b", "c": the third leaf has no sibling and is carried up, never duplicated. */
export const MERKLE_LEAVES = ["a", "b", "c"].map(text);

function merkleVectors() {
  return {
    leaves: MERKLE_LEAVES.map(toHex),
    emptyRoot: toHex(merkleRoot([])),
    root: toHex(merkleRoot(MERKLE_LEAVES)),
    proofs: [0, 2].map((i) => {
      const p = merkleProof(MERKLE_LEAVES, i);
      return { index: p.index, size: p.size, path: p.path.map(toHex) };
    }),
  };
}

export function protocolVectors() {
  return {
    signingDomains: Object.entries(SIGNING_DOMAINS).map(([name, tag]) => ({
      name,
      tag,
      chainId: BLOCK_CHAIN_ID,
      prefix: toHex(signingBytes(tag, BLOCK_CHAIN_ID, new Uint8Array(0))),
    })),
    block: blockVectors(),
    merkle: merkleVectors(),
    handshake: handshakeVectors(),
    dht: dhtSigningVectors(),
  };
}
