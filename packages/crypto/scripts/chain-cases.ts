import {
  type BlockHeader,
  headerToJson,
  signedTransactionToJson,
  type TransferTx,
  toHex,
} from "@p2pnode/codec";
import {
  accountFromMnemonic,
  addressHexOf,
  headerHash,
  SIGNING_DOMAINS,
  signingBytes,
  signingKeyFromSeed,
  signTransaction,
  txId,
  txRoot,
} from "../src/index.js";

/*
 * Vectors of the chain's hashes and signatures: what another implementation (or a later
 * version of this one) must reproduce byte for byte. Ed25519 signing is deterministic, so
 * the signatures are fixed by the keys and the bytes.
 */

export const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

export function chainVectors() {
  const account = accountFromMnemonic(MNEMONIC, 0);
  const seedKey = signingKeyFromSeed(new Uint8Array(32).fill(1));
  const tx: TransferTx = {
    kind: "transfer",
    from: account.publicKey,
    to: seedKey.publicKey.subarray(0, 20),
    amount: 1_000_000n,
    fee: 10n,
    nonce: 0,
    memo: new TextEncoder().encode("first"),
  };
  const txs = ["p2pnode-devnet", "p2pnode-main"].map((chainId) => {
    const stx = signTransaction(tx, chainId, account);
    return {
      chainId,
      tx: signedTransactionToJson(stx, txId(stx)),
      signingPrefix: toHex(signingBytes(SIGNING_DOMAINS.tx, chainId, new Uint8Array())),
      txId: toHex(txId(stx)),
    };
  });
  const header: BlockHeader = {
    version: 1,
    height: 1,
    prevHash: new Uint8Array(32).fill(0xab),
    txRoot: txRoot(txs.map((t) => Buffer.from(t.txId, "hex"))),
    stateRoot: new Uint8Array(32),
    timestamp: 1_700_000_000_000,
    target: Uint8Array.from([0x00, 0xff, ...new Array(30).fill(0xff)]),
    miner: account.address,
    nonce: 42n,
  };
  return {
    account: {
      mnemonic: MNEMONIC,
      path: account.path,
      publicKey: toHex(account.publicKey),
      address: addressHexOf(account.publicKey),
    },
    transactions: txs,
    header: { json: headerToJson(header), hash: toHex(headerHash(header)) },
  };
}
