import {
  AccountState,
  BlockDetail,
  BlockPage,
  ChainTip,
  ChainValidationReport,
  MempoolPage,
  type SignedTransactionJson,
  TxStatus,
  TxSubmitted,
} from "@p2pnode/types";
import { ApiError, callJson } from "./http.js";
import { ServiceClient } from "./service-client.js";

/** The chain service's REST API (services/chain/README.md). */
export class ChainClient extends ServiceClient {
  tip() {
    return callJson("GET", this.url("/tip"), ChainTip, undefined, this.opts);
  }

  /** Main-chain blocks from `from` upwards; without `from`, the last `limit`. */
  blocks(opts: { from?: number; limit?: number } = {}) {
    const q = new URLSearchParams();
    if (opts.from !== undefined) q.set("from", String(opts.from));
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    return callJson("GET", this.url(`/blocks?${q}`), BlockPage, undefined, this.opts);
  }

  block(hashOrHeight: string | number) {
    return callJson("GET", this.url(`/blocks/${hashOrHeight}`), BlockDetail, undefined, this.opts);
  }

  tx(id: string) {
    return callJson("GET", this.url(`/txs/${id}`), TxStatus, undefined, this.opts);
  }

  account(address: string) {
    return callJson("GET", this.url(`/accounts/${address}`), AccountState, undefined, this.opts);
  }

  mempool(opts: { offset?: number; limit?: number } = {}) {
    const q = new URLSearchParams();
    if (opts.offset !== undefined) q.set("offset", String(opts.offset));
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    return callJson("GET", this.url(`/mempool?${q}`), MempoolPage, undefined, this.opts);
  }

  /**
   * Submits a tx. A connection that fails without a reply (a kept-alive socket the node or a proxy
   * closed while the caller was busy, e.g. proving) is tried once more. A tx is keyed by its id,
   * so the second try admits it or answers DUPLICATE, which for a tx sent with its id means the
   * first try got through: it is pending either way.
   */
  submitTx(tx: SignedTransactionJson): Promise<TxSubmitted> {
    return this.submitOnce(() => callJson("POST", this.url("/txs"), TxSubmitted, tx, this.opts), tx.id);
  }

  /**
   * Submits a tx as its codec bytes (`POST /txs/raw`, PROTOCOL.md's encoding), as a wallet that
   * signs the encoding holds it; retried as submitTx, with the id the bytes hash to.
   */
  async submitRawTx(bytes: Uint8Array): Promise<TxSubmitted> {
    // Web Crypto: the same in Node and a browser. A tx's id is the SHA-256 of its encoding.
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const id = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    return this.submitOnce(() => callJson("POST", this.url("/txs/raw"), TxSubmitted, bytes, this.opts), id);
  }

  private async submitOnce(post: () => Promise<TxSubmitted>, id: string | undefined): Promise<TxSubmitted> {
    try {
      return await post();
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "UPSTREAM_UNAVAILABLE") throw err;
    }
    try {
      return await post();
    } catch (err) {
      if (err instanceof ApiError && err.code === "DUPLICATE" && id) return { id, status: "pending" };
      throw err;
    }
  }

  validate() {
    return callJson("POST", this.url("/validate"), ChainValidationReport, {}, this.opts);
  }
}
