import { createPublicKey, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { encodeTransaction } from "@p2pnode/codec";
import { SIGNING_DOMAINS, signingBytes } from "@p2pnode/crypto";
import type { Genesis } from "@p2pnode/types";
import { Chain, defaultChainOptions } from "../src/chain.js";
import { ChainStore, defaultFlushPolicy, type FlushPolicy } from "../src/store.js";
import { BLOCK_TIME, CHAIN_ID, transfer, type Wallet, wallet } from "../test/helpers.js";

/** The benchmark block size: 1,000 transfers, one per sender. */
export const BLOCK_TXS = 1_000;

/**
 * What the chain benches share: 1,000 funded senders, one recipient, a genesis with the easiest
 * target, and fresh chains in `dir` with a mempool large enough to hold every block's txs.
 */
export function blockFixture(dir: string) {
  const senders: Wallet[] = Array.from({ length: BLOCK_TXS }, (_, i) => wallet(1000 + i));
  const recipient = wallet(5);
  const genesis: Genesis = {
    chainId: CHAIN_ID,
    timestamp: Date.now() - 86_400_000,
    allocations: senders.map((w) => ({ address: w.hex, balance: "1000000000" })),
    consensus: {
      targetBlockTimeMs: BLOCK_TIME,
      initialTarget: "ff".repeat(32),
      retargetWindow: 100_000,
      blockReward: "50",
    },
    validators: [],
  };
  let opened = 0;
  const chain = (flush: FlushPolicy = defaultFlushPolicy): Chain => {
    const store = new ChainStore(join(dir, `chain-${opened++}.sqlite`), flush);
    const mempool = {
      ...defaultChainOptions.mempool,
      maxTxs: 1_000_000,
      maxBytes: 1 << 30,
      maxPerSender: 1_000,
    };
    return new Chain({ ...defaultChainOptions, mempool }, { genesis, store });
  };
  return { senders, recipient, genesis, chain };
}

/**
 * The raw-verify baseline the admission benches share: one transfer's signing bytes, signature and
 * public key, as the bare node:crypto verify of the baseline takes them (`spki`: the key's DER).
 */
export function verifyBaseline(sender: Wallet, recipient: Wallet) {
  const sample = transfer(sender, recipient, 1n, 0);
  const message = signingBytes(SIGNING_DOMAINS.tx, CHAIN_ID, encodeTransaction(sample.tx));
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), sender.key.publicKey]);
  const key: KeyObject = createPublicKey({ key: spki, format: "der", type: "spki" });
  return { publicKey: sender.key.publicKey, message, signature: sample.signature, spki, key };
}
