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
  async submitTx(tx: SignedTransactionJson): Promise<TxSubmitted> {
    const post = () => callJson("POST", this.url("/txs"), TxSubmitted, tx, this.opts);
    try {
      return await post();
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "UPSTREAM_UNAVAILABLE") throw err;
    }
    try {
      return await post();
    } catch (err) {
      if (err instanceof ApiError && err.code === "DUPLICATE" && tx.id)
        return { id: tx.id, status: "pending" };
      throw err;
    }
  }

  validate() {
    return callJson("POST", this.url("/validate"), ChainValidationReport, {}, this.opts);
  }
}
