import { encodeHeader, splitBlock } from "@p2pnode/codec";
import type { Bus } from "@p2pnode/kit";
import { ChainReadSubjects, ChainSubjects, CodedError, type TxAcceptedEvent } from "@p2pnode/types";
import { AnnounceWindow } from "./announce-window.js";
import type { Chain } from "./chain.js";
import type { ChainEvents, ChainIntake } from "./intake.js";
import { pendingTx } from "./queries.js";
import { unhex } from "./store.js";
import { blockByHash, headersAfter } from "./sync/serve.js";
import { txInclusionProof } from "./sync/tx-proof.js";
import { buildTemplate, type TemplateOptions } from "./template.js";

/**
 * Events go out on the bus only after the chain returned, i.e. after COMMIT. A block event carries
 * what its subscribers would otherwise ask back for: the block's bytes and the total work of the
 * chain ending at it, both handed over by the commit itself (intake.ts), and its certificate when
 * it is final (dolev-strong). The size table (@p2pnode/codec) keeps the largest block and its
 * envelope within the bus's max_payload, which every bus client checks on connect.
 */
export function busEvents(bus: Bus): ChainEvents & { flush(): void } {
  // A tx's event waits a few milliseconds to leave with others (announce-window.ts); a block's
  // goes at once, after the txs' that came before it, so a subscriber never hears of a block
  // before the txs accepted ahead of it.
  const txs = new AnnounceWindow<TxAcceptedEvent>((e) => bus.publish(ChainSubjects.txAccepted, e));
  return {
    blockAccepted: (e) => {
      txs.flush();
      bus.publish(ChainSubjects.blockAccepted, { ...e, totalWork: e.totalWork.toString() });
    },
    txAccepted: (e) => txs.add(e),
    flush: () => txs.flush(),
  };
}

/** The chain's NATS endpoints: the write contract (chain-subjects.ts) and the gateway's reads. */
export async function serveChainSubjects(
  bus: Bus,
  d: {
    chain: Chain;
    intake: ChainIntake;
    template: TemplateOptions;
    /** Why templates are refused for now (initial sync), or undefined. */
    notMiningYet: () => string | undefined;
  },
): Promise<void> {
  const { chain, intake } = d;
  // Codec bytes (CBOR payloads), decoded once by the intake: DECODE_FAILED when they do not decode.
  await bus.serve(ChainSubjects.txSubmit, (req) => intake.submitTxBytes(req.tx));
  await bus.serve(ChainSubjects.blockSubmit, (req) => intake.submitBlockBytes(req.block, req.source));
  await bus.serve(ChainSubjects.templateGet, (req) => {
    const wait = d.notMiningYet();
    if (wait) throw new CodedError("NOT_READY", wait);
    return buildTemplate(chain, req.miner, d.template);
  });
  await bus.serve(ChainSubjects.tipGet, () => chain.tip());

  await bus.serve(ChainReadSubjects.blockGet, (req) => {
    const found = blockByHash(chain, req.hash);
    if (!found) throw new CodedError("NOT_FOUND", `no block ${req.hash}`);
    return found;
  });
  await bus.serve(ChainReadSubjects.txGet, (req) => {
    // Codec bytes as held: the pool's accepted bytes, or the tx's slice of its stored block.
    const pending = pendingTx(chain, req.id);
    if (pending) return { tx: pending.bytes, status: "mempool" as const };
    const loc = chain.store.txLocation(unhex(req.id));
    const body = loc && chain.store.blockBody(loc.blockHash);
    const tx = body && splitBlock(body).txs[loc.index];
    if (!tx) throw new CodedError("NOT_FOUND", `no transaction ${req.id}`);
    return { tx, status: "confirmed" as const };
  });
  await bus.serve(ChainReadSubjects.txProofGet, (req) => {
    const p = txInclusionProof(chain, req.id);
    if (!p) throw new CodedError("NOT_FOUND", `transaction ${req.id} is not confirmed`);
    return p;
  });
  await bus.serve(ChainReadSubjects.accountGet, (req) => {
    const a = chain.store.account(unhex(req.address));
    return {
      address: req.address,
      balance: String(a?.balance ?? 0n),
      nonce: a?.nonce ?? 0,
      height: chain.tipBlock.height,
    };
  });
  await bus.serve(ChainReadSubjects.headersGet, (req) => ({
    headers: headersAfter(chain, req.locator, req.max, req.stop).map(encodeHeader),
  }));
}
