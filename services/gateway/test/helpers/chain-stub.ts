import {
  type Block,
  blockFromJson,
  blockToJson,
  encodeBlock,
  encodeHeader,
  encodeSignedTransaction,
  headerToJson,
  type SignedTransaction,
  signedTransactionFromJson,
  signedTransactionToJson,
  toHex,
} from "@p2pnode/codec";
import {
  headerHash,
  signingKeyFromSeed,
  signTransaction,
  transactionSignature,
  txId,
  txRoot,
  type VerifyPool,
} from "@p2pnode/crypto";
import { Bus, createLogger } from "@p2pnode/kit";
import type { TestNode } from "@p2pnode/kit/testing";
import {
  checkAuthority,
  checkBlock,
  decodeBlockBytes,
  decodeTxBytes,
  prepareTx,
  RuleError,
} from "@p2pnode/rules";
import {
  type BlockJson,
  ChainDeliverySubjects,
  ChainReadSubjects,
  ChainSubjects,
  CodedError,
  type RejectReason,
  type SignedTransactionJson,
} from "@p2pnode/types";

export const CHAIN_ID = "test-chain";

/**
 * A chain service stand-in on a test node's NATS: the chain's stateless rules (packages/rules), a
 * linear chain by height, and the accepted events a real chain publishes.
 */
export class ChainStub {
  readonly txs = new Map<string, SignedTransactionJson>();
  readonly blocks = new Map<string, { json: BlockJson; height: number }>();
  readonly submittedTxs: string[] = [];
  readonly submittedBlocks: string[] = [];
  readonly rejected: { hash: string; code: string }[] = [];
  tipHash = "00".repeat(32);
  /** When set for a sender, txs must come in nonce order from this value (as the chain requires). */
  readonly nextNonce = new Map<string, number>();
  height = 0;
  /** While set, writes are refused as a restarting chain refuses them (NOT_READY). */
  unavailable = false;
  /** While set, accepted txs publish no event (as if the gateway missed it while restarting). */
  silent = false;
  /** Set: tx signatures of txSubmit are verified on this pool, off the loop, as the chain service does. */
  verifier: VerifyPool | undefined;

  private constructor(readonly bus: Bus) {}

  static async start(node: TestNode): Promise<ChainStub> {
    const bus = await Bus.connect({
      url: node.nats.url,
      token: node.nats.token,
      name: "chain-stub",
      version: "0.0.0",
      log: createLogger("chain-stub", "silent"),
    });
    const s = new ChainStub(bus);
    await s.serve();
    await s.serveDelivery();
    return s;
  }

  private async serve(): Promise<void> {
    const b = this.bus;
    await b.serve(ChainSubjects.tipGet, () => ({
      height: this.height,
      hash: this.tipHash,
      totalWork: String(this.height),
      timestamp: 0,
      chainId: CHAIN_ID,
    }));
    // The submit subjects carry codec bytes: decoded once, as the chain does (DECODE_FAILED if not).
    await b.serve(ChainSubjects.txSubmit, async (req) => {
      if (this.unavailable) {
        this.submittedTxs.push(toHex(txId(req.tx)));
        throw new CodedError("NOT_READY", "stub chain is restarting");
      }
      const stx = decodeTxBytes(req.tx);
      const signed = this.verifier && transactionSignature(stx, CHAIN_ID);
      const verdict = signed ? await this.verifier!.verify(signed) : undefined;
      return this.acceptTx(signedTransactionToJson(stx), true, verdict);
    });
    await b.serve(ChainSubjects.blockSubmit, (req) =>
      this.acceptBlock(blockToJson(decodeBlockBytes(req.block)), true),
    );
    await b.serve(ChainReadSubjects.blockGet, (req) => {
      const e = this.blocks.get(req.hash);
      if (!e) throw new CodedError("NOT_FOUND", "no block");
      return { block: encodeBlock(blockFromJson(e.json)), height: e.height, onBestChain: true };
    });
    await b.serve(ChainReadSubjects.txGet, (req) => {
      const tx = this.txs.get(req.id);
      if (!tx) throw new CodedError("NOT_FOUND", "no tx");
      return { tx: encodeSignedTransaction(signedTransactionFromJson(tx)), status: "mempool" as const };
    });
    await b.serve(ChainReadSubjects.headersGet, (req) => {
      const byHeight = [...this.blocks.values()].sort((x, y) => x.height - y.height);
      let from = 0;
      for (const h of req.locator) {
        const e = this.blocks.get(h);
        if (e) {
          from = e.height + 1;
          break;
        }
      }
      return {
        headers: byHeight
          .filter((e) => e.height >= from)
          .slice(0, req.max)
          .map((e) => encodeHeader(blockFromJson(e.json).header)),
      };
    });
  }

  /** `signatureValid`: the verdict when verified ahead (on `verifier`); absent: verified here. */
  acceptTx(json: SignedTransactionJson, fromPeer: boolean, signatureValid?: boolean) {
    const stx = signedTransactionFromJson(json);
    const id = toHex(txId(stx));
    if (fromPeer) this.submittedTxs.push(id);
    // The chain's stateless rules, codes and all (checkTx, with the verdict when given).
    checkAuthority(prepareTx(stx, { chainId: CHAIN_ID, minFee: 0n }), CHAIN_ID, undefined, signatureValid);
    if (this.txs.has(id)) throw new CodedError<RejectReason>("DUPLICATE", "known tx");
    const sender = "from" in stx.tx ? toHex(stx.tx.from) : "";
    const expected = this.nextNonce.get(sender);
    if (expected !== undefined && stx.tx.kind === "transfer") {
      if (stx.tx.nonce !== expected)
        throw new CodedError<RejectReason>("BAD_NONCE", "nonce gap or replay", { expected });
      this.nextNonce.set(sender, expected + 1);
    }
    this.txs.set(id, signedTransactionToJson(stx, txId(stx)));
    if (!this.silent)
      this.bus.publish(ChainSubjects.txAccepted, {
        id,
        fee: String(stx.tx.fee),
        tx: encodeSignedTransaction(stx),
      });
    return { id };
  }

  acceptBlock(json: BlockJson, fromPeer: boolean) {
    const block = blockFromJson(json);
    const hash = toHex(headerHash(block.header));
    if (fromPeer) this.submittedBlocks.push(hash);
    const reject = (code: RejectReason) => {
      this.rejected.push({ hash, code });
      throw new CodedError<RejectReason>(code, `stub refuses ${code}`);
    };
    try {
      checkBlock(block, CHAIN_ID); // the chain's stateless rules, codes and all
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      reject(err.code);
    }
    if (this.blocks.has(hash)) return { hash, height: block.header.height, status: "known" as const };
    if (block.header.height !== this.height + 1) reject("MISSED_BLOCK");
    if (block.header.height > 1 && toHex(block.header.prevHash) !== this.tipHash)
      reject("PREV_HASH_MISMATCH");
    this.blocks.set(hash, {
      json: blockToJson(block, headerHash(block.header)),
      height: block.header.height,
    });
    this.height = block.header.height;
    this.tipHash = hash;
    this.bus.publish(ChainSubjects.blockAccepted, {
      hash,
      height: this.height,
      status: "connected",
      txCount: block.txs.length,
      totalWork: String(this.height),
      block: encodeBlock(block),
    });
    return { hash, height: this.height, status: "connected" as const };
  }

  /** Builds (and does not submit) the next block on this stub's tip. */
  nextBlock(txs: SignedTransaction[] = [], overrides: Partial<Block["header"]> = {}): Block {
    return {
      header: {
        version: 1,
        height: this.height + 1,
        prevHash: Buffer.from(this.tipHash, "hex"),
        txRoot: txRoot(txs.map((t) => txId(t))),
        stateRoot: new Uint8Array(32),
        timestamp: Date.now(),
        target: new Uint8Array(32).fill(0xff),
        nonce: 0n,
        miner: new Uint8Array(20),
        ...overrides,
      },
      txs,
    };
  }

  /** "Mines" a block locally: as the chain does when its miner finds one. */
  mine(txs: SignedTransaction[] = []): string {
    return this.acceptBlock(blockToJson(this.nextBlock(txs)), false).hash;
  }

  headerJson(b: Block) {
    return headerToJson(b.header);
  }

  encodedHeader(b: Block) {
    return encodeHeader(b.header);
  }

  private tip() {
    return {
      height: this.height,
      hash: this.tipHash,
      totalWork: String(this.height),
      timestamp: 0,
      chainId: CHAIN_ID,
    };
  }

  /** Reconciliation: the pool's inventory, and the `started` event a (re)started chain publishes. */
  private async serveDelivery(): Promise<void> {
    await this.bus.serve(ChainDeliverySubjects.mempoolInventory, () => ({
      ids: [...this.txs.keys()],
      tip: this.tip(),
    }));
  }

  announceStarted(): void {
    this.bus.publish(ChainDeliverySubjects.started, this.tip());
  }

  async stop(): Promise<void> {
    await this.bus.close();
  }
}

let nonce = 0;
const wallet = signingKeyFromSeed(new Uint8Array(32).fill(9));

/** A signed transfer with a recognisable memo (to look for on the wire). */
export function makeTx(memo = `hello-${nonce}`): SignedTransaction {
  return signTransaction(
    {
      kind: "transfer",
      from: wallet.publicKey,
      to: new Uint8Array(20).fill(1),
      amount: 10n,
      fee: 1n,
      nonce: nonce++,
      memo: new TextEncoder().encode(memo),
    },
    CHAIN_ID,
    wallet,
  );
}
