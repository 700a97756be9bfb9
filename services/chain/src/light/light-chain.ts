import { type BlockHeader, decodeHeader, encodeHeader, fromHex } from "@p2pnode/codec";
import { type MerkleProof, verifyMerkleProof } from "@p2pnode/crypto";
import type { Genesis } from "@p2pnode/types";
import { Chain, type ChainOptions, defaultChainOptions } from "../chain.js";
import { ChainStore } from "../store.js";
import { HeaderChain, type PendingHeader } from "../sync/header-chain.js";
import type { HeaderStore } from "./header-store.js";

/** What a full node hands a light node to show a transaction is in a block. */
export interface TxInclusionProof {
  txId: string;
  blockHash: string;
  height: number;
  index: number;
  /** Leaves in the block's tree; see MerkleProof.size (the header does not commit to it). */
  size: number;
  path: string[];
}

/**
 * The light node's chain: headers only, each checked by the same `HeaderChain` rules a full node
 * applies before fetching bodies (linkage, proof of work — in a dolev-strong network the
 * certificate instead, checked by LightFinality —, retarget, timestamps). Genesis comes
 * from an in-memory full store that never receives a block; the best header run is kept in
 * memory and persisted in a `HeaderStore`. A heavier branch is adopted by rebuilding the run.
 */
export class LightChain {
  private readonly base: Chain;
  private run: HeaderChain;

  constructor(
    genesis: Genesis,
    private readonly store: HeaderStore,
    o: Partial<ChainOptions> = {},
  ) {
    this.base = new Chain({ ...defaultChainOptions, ...o }, { genesis, store: new ChainStore(":memory:") });
    this.run = this.fresh();
    // Stored headers are re-checked on open: a corrupt or tampered file is found here, not later.
    this.run.append(store.all().map(decodeHeader));
  }

  /** Set in dolev-strong networks: headers come only with certificates (finality/light-finality.ts). */
  get finality() {
    return this.base.finality;
  }

  get height(): number {
    return this.run.tipHeight;
  }

  get totalWork(): bigint {
    return this.run.totalWork;
  }

  get tipHashHex(): string {
    return this.run.lastHashHex ?? this.genesisHashHex;
  }

  get genesisHashHex(): string {
    return Buffer.from(this.base.genesisHash).toString("hex");
  }

  /** Our block locator (tip first, then back by doubling steps, genesis last). */
  locator(): string[] {
    const hs = this.run.headers;
    const out: string[] = [];
    let step = 1;
    for (let i = hs.length - 1; i >= 0 && out.length < 63; i -= step) {
      out.push(hs[i]!.hashHex);
      if (out.length >= 10) step *= 2;
    }
    out.push(this.genesisHashHex);
    return out;
  }

  header(height: number): PendingHeader | undefined {
    return height >= 1 ? this.run.headers[height - 1] : undefined;
  }

  /**
   * Takes a peer's headers: they extend our tip, or fork from one of our headers and are kept only
   * when the branch carries more work. Throws the ChainError of the first bad header.
   */
  accept(headers: readonly BlockHeader[]): "extended" | "reorg" | "ignored" {
    if (headers.length === 0) return "ignored";
    const first = headers[0]!;
    const forkHeight = first.height - 1;
    if (forkHeight === this.height) {
      try {
        this.run.append(headers);
      } finally {
        // Headers before a bad one were checked and stay, in memory and on disk alike.
        const kept = headers.slice(0, this.height - forkHeight);
        if (kept.length > 0) this.store.replaceFrom(first.height, kept.map(encodeHeader));
      }
      return "extended";
    }
    // A fork: rebuild up to the fork point and compare work.
    const candidate = this.fresh();
    candidate.append(this.run.headers.slice(0, forkHeight).map((p) => p.header));
    candidate.append(headers);
    if (candidate.totalWork <= this.run.totalWork) return "ignored";
    this.run = candidate;
    this.store.replaceFrom(first.height, headers.map(encodeHeader));
    return "reorg";
  }

  /**
   * Dolev-Strong: a header whose commit certificate the caller has checked (LightFinality). It
   * must extend our tip; it is stored together with the certificate. Throws a ChainError.
   */
  acceptFinal(header: BlockHeader, certificate: Uint8Array): void {
    this.run.append([header]);
    this.store.putFinal(header.height, encodeHeader(header), certificate);
  }

  /** The certificate the header at `height` was taken with (dolev-strong networks). */
  certificate(height: number): Uint8Array | undefined {
    return this.store.certificate(height);
  }

  /** The certificate of our highest certified header, to resume slot ordering after a restart. */
  lastCertificate(): Uint8Array | undefined {
    return this.store.lastCertificate();
  }

  /** Whether `proof` shows tx `txId` in the block our own header chain has at `proof.height`. */
  verifyTxProof(proof: TxInclusionProof): boolean {
    const h = this.header(proof.height);
    if (!h || h.hashHex !== proof.blockHash) return false;
    try {
      const merkle: MerkleProof = {
        index: proof.index,
        size: proof.size,
        path: proof.path.map((p) => fromHex(p, "proof path", 32)),
      };
      return verifyMerkleProof(h.header.txRoot, fromHex(proof.txId, "tx id", 32), merkle);
    } catch {
      return false; // malformed hex or sizes: not a proof
    }
  }

  close(): void {
    this.base.store.close();
    this.store.close();
  }

  /** An empty run; its first header anchors it at genesis (the one block `base` stores). */
  private fresh(): HeaderChain {
    return new HeaderChain(this.base, Number.MAX_SAFE_INTEGER);
  }
}
