import { type Block, decodeBlock, equalBytes } from "@p2pnode/codec";
import { checkBody, checkPow, genesisBlock, prepareBlock } from "@p2pnode/rules";
import { type ChainValidationReport, consensusParams, type Genesis } from "@p2pnode/types";
import { Ancestry } from "./ancestry.js";
import { checkHeaderContext } from "./block-rules.js";
import { validatorSetFromGenesis } from "./consensus/index.js";
import { ChainError } from "./errors.js";
import { Finality } from "./finality/finality.js";
import { FinalityStore } from "./finality/finality-store.js";
import type { RetargetOptions } from "./retarget.js";
import { applyBlock, StateOverlay } from "./state.js";
import { type Account, type BlockMeta, ChainStore, hex } from "./store.js";
import { workOf } from "./work.js";

export interface IntegrityOptions {
  retarget: RetargetOptions;
  /** Re-verify every signature (the full "validation request"); off for a quick structural check. */
  signatures: boolean;
  /** Yield to the event loop every this many blocks, so a long check does not stall the service. */
  yieldEvery: number;
}

class Inconsistent extends Error {}

/**
 * Re-validates the stored main chain from genesis as a new node would: every header rule,
 * the network's seal of each block (proof of work, or in a dolev-strong network the stored
 * commit certificate against the genesis validators, slots in order), target, timestamp, Merkle
 * root, signature and state transition, replayed in memory from the genesis allocations. Then checks that the store agrees with the replay:
 * tip pointer, main-chain index, cumulative work, tx index and the accounts table. The first
 * failure is reported with its height and reason; nothing is changed.
 */
export async function validateStoredChain(
  store: ChainStore,
  genesis: Genesis,
  o: IntegrityOptions,
): Promise<ChainValidationReport> {
  const started = performance.now();
  const tipHex = store.getMeta("tip") ?? "";
  const tip = store.blockMeta(Buffer.from(tipHex, "hex"));
  const accounts = new Map<string, Account>(
    genesis.allocations.map((a) => [a.address, { balance: BigInt(a.balance), nonce: 0 }]),
  );
  const reader = { account: (address: Uint8Array) => accounts.get(hex(address)) };
  const ancestry = new Ancestry(store);
  const seal = sealCheck(store, genesis);
  let checked = 0;
  let txs = 0;
  const report = (bad: { height: number; reason: string; message: string } | undefined) => ({
    ok: bad === undefined,
    tipHeight: tip?.height ?? 0,
    tipHash: tip ? hex(tip.hash) : "0".repeat(64),
    checkedHeight: checked,
    txs,
    accounts: accounts.size,
    firstBadHeight: bad?.height ?? null,
    reason: bad?.reason ?? null,
    message: bad?.message ?? null,
    durationMs: performance.now() - started,
  });
  let height = 0;
  try {
    if (!tip) throw new Inconsistent(`tip pointer ${tipHex} names no stored block`);
    const gen = genesisBlock(genesis);
    const g = ancestry.at(tip, 0);
    if (!equalBytes(g.hash, gen.hash)) throw new Inconsistent("main chain does not start at this genesis");
    if (store.mainHeight() !== tip.height || store.mainCount() !== tip.height + 1) {
      throw new Inconsistent(`main-chain index has ${store.mainCount()} rows for tip height ${tip.height}`);
    }
    let parent: BlockMeta = g;
    for (height = 1; height <= tip.height; height++) {
      const meta = ancestry.at(tip, height);
      checkLinks(store, ancestry, meta, parent);
      const block = decodeBlock(store.blockBody(meta.hash) ?? new Uint8Array());
      const state = new StateOverlay(reader);
      const p = prepareBlock(block, genesis.chainId, hex(meta.hash));
      seal(block, p.hash);
      checkHeaderContext(
        block.header,
        {
          parentHeight: parent.height,
          expectedTarget: ancestry.targetAfter(parent, o.retarget),
          medianTimePast: ancestry.medianTimePast(parent),
          now: Number.MAX_SAFE_INTEGER,
        },
        { chainId: genesis.chainId, maxFutureDriftMs: 0 },
      );
      checkBody(p, genesis.chainId, () => !o.signatures);
      applyBlock(state, p.txs, block.header.miner, BigInt(genesis.consensus.blockReward));
      p.txs.forEach((t, i) => {
        const loc = store.txLocation(t.id);
        if (!loc || loc.height !== height || loc.index !== i) {
          throw new Inconsistent(`tx index has no entry (or a wrong one) for ${t.idHex}`);
        }
      });
      for (const w of state.writes()) accounts.set(hex(w.address), w.after);
      txs += p.txs.length;
      checked = height;
      parent = meta;
      if (height % o.yieldEvery === 0) await new Promise((r) => setImmediate(r));
    }
    height = tip.height;
    compareState(store, accounts);
    if (store.txCount() !== txs)
      throw new Inconsistent(`tx index has ${store.txCount()} rows, the chain ${txs} txs`);
    return report(undefined);
  } catch (err) {
    if (err instanceof ChainError) return report({ height, reason: err.code, message: err.message });
    if (err instanceof Inconsistent)
      return report({ height, reason: "STORE_INCONSISTENT", message: err.message });
    return report({ height, reason: "STORE_INCONSISTENT", message: (err as Error).message });
  }
}

/**
 * What makes a stored block this network's: its proof of work, or (dolev-strong) the certificate
 * stored with it, checked exactly as when the block was taken (Finality.check). Throws a ChainError.
 */
function sealCheck(store: ChainStore, genesis: Genesis): (block: Block, hash: Uint8Array) => void {
  if (consensusParams(genesis).kind !== "dolev-strong") {
    return (block, hash) => checkPow(block.header, hash);
  }
  const finality = new Finality(validatorSetFromGenesis(genesis), new FinalityStore(store.db));
  return (block, hash) => {
    const h = block.header;
    finality.check(hash, h.height, h.prevHash, finality.store.certificate(hash)?.bytes);
  };
}

/** The store's own bookkeeping of one main-chain block: link, status, work, body. */
function checkLinks(store: ChainStore, ancestry: Ancestry, meta: BlockMeta, parent: BlockMeta): void {
  if (!equalBytes(meta.prevHash, parent.hash))
    throw new Inconsistent(`block ${meta.height} does not link to its parent`);
  if (meta.status !== "main" || !ancestry.isMain(meta)) {
    throw new Inconsistent(`block ${meta.height} is on the main-chain index but has status ${meta.status}`);
  }
  if (meta.totalWork !== parent.totalWork + workOf(meta.header.target)) {
    throw new Inconsistent(`block ${meta.height} has a wrong cumulative work`);
  }
  if (!store.blockBody(meta.hash)) throw new Inconsistent(`block ${meta.height} has no body`);
}

function compareState(store: ChainStore, replayed: Map<string, Account>): void {
  let n = 0;
  for (const { address, account } of store.accounts()) {
    const r = replayed.get(address);
    if (!r || r.balance !== account.balance || r.nonce !== account.nonce) {
      throw new Inconsistent(
        `account ${address} is stored as ${account.balance}/${account.nonce}, replay gives ${r?.balance}/${r?.nonce}`,
      );
    }
    n++;
  }
  if (n !== replayed.size)
    throw new Inconsistent(`accounts table has ${n} rows, the replay ${replayed.size}`);
}

/**
 * Runs `fn` on a read snapshot of the store file: a second connection inside one read
 * transaction (WAL gives it a stable view while the service keeps committing blocks).
 */
export async function withSnapshot<T>(file: string, fn: (snapshot: ChainStore) => Promise<T>): Promise<T> {
  const snapshot = new ChainStore(file);
  try {
    snapshot.db.exec("BEGIN");
    snapshot.getMeta("tip"); // the first read fixes the snapshot
    return await fn(snapshot);
  } finally {
    if (snapshot.db.inTransaction) snapshot.db.exec("ROLLBACK");
    snapshot.close();
  }
}
