import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Block,
  type BlockHeader,
  encodeSignedTransaction,
  HEADER_SIZE,
  HEADER_VERSION,
  MAX_BLOCK_BYTES,
  MAX_MEMO_BYTES,
  type SignedTransaction,
} from "@p2pnode/codec";
import {
  addressHexOf,
  addressOf,
  headerHash,
  meetsTarget,
  type SigningKey,
  signingKeyFromSeed,
  signTransaction,
  txId,
  txRoot,
} from "@p2pnode/crypto";
import type { Genesis } from "@p2pnode/types";
import { Chain, type ChainOptions, defaultChainOptions } from "../src/chain.js";
import { type BlockMeta, ChainStore } from "../src/store.js";

export const CHAIN_ID = "testnet-chain";
export const BLOCK_TIME = 2_000;
export const EASY = "ff".repeat(32);

export interface Wallet {
  key: SigningKey;
  address: Uint8Array;
  hex: string;
}

export function wallet(n: number): Wallet {
  const seed = new Uint8Array(32).fill(7);
  new DataView(seed.buffer).setUint32(0, n);
  const key = signingKeyFromSeed(seed);
  return { key, address: addressOf(key.publicKey), hex: addressHexOf(key.publicKey) };
}

export const alice = wallet(1);
export const bob = wallet(2);
export const carol = wallet(3);
export const minerA = wallet(10);
export const minerB = wallet(11);

/** Genesis a day in the past, so every test block's timestamp is behind the real clock. */
export function testGenesis(over: Partial<Genesis["consensus"]> = {}, chainId = CHAIN_ID): Genesis {
  return {
    chainId,
    timestamp: Date.now() - 86_400_000,
    allocations: [
      { address: alice.hex, balance: "1000000" },
      { address: bob.hex, balance: "500000" },
    ],
    consensus: {
      targetBlockTimeMs: BLOCK_TIME,
      initialTarget: EASY,
      retargetWindow: 1000,
      blockReward: "5000",
      ...over,
    },
    validators: [],
  };
}

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), "p2pnode-chain-test-"));
}

export function openChain(genesis: Genesis, o: Partial<ChainOptions> = {}, dir = tmpDir()): Chain {
  const store = new ChainStore(join(dir, "chain.sqlite"));
  return new Chain({ ...defaultChainOptions, ...o }, { genesis, store });
}

export function transfer(
  from: Wallet,
  to: Wallet,
  amount: bigint,
  nonce: number,
  fee = 10n,
  chainId = CHAIN_ID,
): SignedTransaction {
  return signTransaction(
    {
      kind: "transfer",
      from: from.key.publicKey,
      to: to.address,
      amount,
      fee,
      nonce,
      memo: new Uint8Array(),
    },
    chainId,
    from.key,
  );
}

export interface BlockOpts {
  parent?: BlockMeta;
  txs?: SignedTransaction[];
  miner?: Wallet;
  /** Milliseconds after the parent (default BLOCK_TIME). */
  gap?: number;
  /** Edit the header before the nonce search (a tampered block that still has valid PoW). */
  edit?: (h: BlockHeader) => void;
  /** Skip the nonce search (for INVALID_POW). */
  noPow?: boolean;
}

/** A valid block on `parent` (default: the tip), with its nonce ground against its target. */
export function makeBlock(chain: Chain, o: BlockOpts = {}): Block {
  const parent = o.parent ?? chain.tipBlock;
  const txs = o.txs ?? [];
  const header: BlockHeader = {
    version: HEADER_VERSION,
    height: parent.height + 1,
    prevHash: parent.hash,
    txRoot: txRoot(txs.map((t) => txId(t))),
    stateRoot: new Uint8Array(32),
    timestamp: parent.header.timestamp + (o.gap ?? BLOCK_TIME),
    target: chain.ancestry.targetAfter(parent, chain.retarget),
    miner: (o.miner ?? minerA).address,
    nonce: 0n,
  };
  o.edit?.(header);
  if (!o.noPow) while (!meetsTarget(headerHash(header), header.target)) header.nonce++;
  return { header, txs };
}

/** Mines `n` empty (or given) blocks on the tip. */
export function extend(chain: Chain, n: number, o: Omit<BlockOpts, "parent"> = {}): BlockMeta[] {
  const out: BlockMeta[] = [];
  for (let i = 0; i < n; i++) {
    chain.submitBlock(makeBlock(chain, o));
    out.push(chain.tipBlock);
  }
  return out;
}

export function balance(chain: Chain, w: Wallet): bigint {
  return chain.store.account(w.address)?.balance ?? 0n;
}

export function nonce(chain: Chain, w: Wallet): number {
  return chain.store.account(w.address)?.nonce ?? 0;
}

/** Every account and the tip: equal snapshots mean "nothing changed". */
export function snapshot(chain: Chain) {
  return {
    tip: chain.tip(),
    accounts: [...chain.store.accounts()].map((a) => [
      a.address,
      a.account.balance.toString(),
      a.account.nonce,
    ]),
    blocks: chain.store.blockCount(),
    txs: chain.store.txCount(),
    mempool: chain.mempool.size,
  };
}

/**
 * Transfers from `from` (nonces from `firstNonce`, full memos) that fill a block to within a few
 * hundred bytes of MAX_BLOCK_BYTES: the largest block a peer may send.
 */
export function fullBlockTxs(from: Wallet, to: Wallet, firstNonce: number): SignedTransaction[] {
  const txs: SignedTransaction[] = [];
  let size = HEADER_SIZE + 4;
  for (let nonce = firstNonce; ; nonce++) {
    const memo = new Uint8Array(MAX_MEMO_BYTES).fill(nonce & 0xff);
    const stx = signTransaction(
      { kind: "transfer", from: from.key.publicKey, to: to.address, amount: 1n, fee: 1n, nonce, memo },
      CHAIN_ID,
      from.key,
    );
    const framed = 4 + encodeSignedTransaction(stx).length;
    if (size + framed > MAX_BLOCK_BYTES) return txs;
    txs.push(stx);
    size += framed;
  }
}
