import { toHex } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import { CodedError } from "@p2pnode/types";
import type { Peer } from "./peer.js";

interface HeadersWait {
  resolve: (headers: Uint8Array[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface BlocksWait {
  /** Hashes asked and not yet received. */
  wanted: Set<string>;
  got: Map<string, Uint8Array>;
  order: string[];
  resolve: (blocks: { hash: string; bytes: Uint8Array }[]) => void;
  timer: NodeJS.Timeout;
}

/**
 * The gateway's half of sync: it makes no decisions (the chain's SyncManager does), it only sends
 * get-headers / get-blocks to the peer the chain named and hands back that peer's answer.
 * Headers messages carry no request id, so at most one get-headers is out per peer and the next
 * headers message from that peer is its answer; blocks are matched by hash.
 */
export class SyncRequests {
  private readonly headers = new Map<string, HeadersWait>();
  private readonly blocks = new Map<string, BlocksWait[]>();

  constructor(private readonly o: { timeoutMs: number; maxHeaders: number }) {}

  fetchHeaders(peer: Peer, locator: string[], max: number): Promise<Uint8Array[]> {
    if (this.headers.has(peer.id))
      return Promise.reject(new CodedError("CONFLICT", "a get-headers to this peer is already out"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.headers.delete(peer.id);
        reject(new CodedError("TIMEOUT", `peer sent no headers in ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
      this.headers.set(peer.id, { resolve, reject, timer });
      peer.send({
        type: "getHeaders",
        locator: locator.map((h) => Buffer.from(h, "hex")),
        stop: null,
        max: Math.min(max, this.o.maxHeaders),
      });
    });
  }

  /** Resolves with what arrived when all did or at the timeout: the chain judges what is missing. */
  fetchBlocks(peer: Peer, hashes: string[]): Promise<{ hash: string; bytes: Uint8Array }[]> {
    return new Promise((resolve) => {
      const w: BlocksWait = {
        wanted: new Set(hashes),
        got: new Map(),
        order: hashes,
        resolve,
        timer: setTimeout(() => this.finish(peer.id, w), this.o.timeoutMs),
      };
      const list = this.blocks.get(peer.id) ?? [];
      list.push(w);
      this.blocks.set(peer.id, list);
      peer.send({ type: "getBlocks", hashes: hashes.map((h) => Buffer.from(h, "hex")) });
    });
  }

  /** A headers message; false when none was asked of this peer (unsolicited). */
  onHeaders(peer: Peer, headers: Uint8Array[]): boolean {
    const w = this.headers.get(peer.id);
    if (!w) return false;
    clearTimeout(w.timer);
    this.headers.delete(peer.id);
    for (const h of headers) peer.known.add(toHex(headerHash(h)));
    w.resolve(headers);
    return true;
  }

  /** A block from a blocks message; false when it was not asked of this peer. */
  onBlock(peer: Peer, hashHex: string, bytes: Uint8Array): boolean {
    const w = this.blocks.get(peer.id)?.find((x) => x.wanted.has(hashHex));
    if (!w) return false;
    w.wanted.delete(hashHex);
    w.got.set(hashHex, bytes);
    if (w.wanted.size === 0) this.finish(peer.id, w);
    return true;
  }

  /** The peer left: answer everything pending with what we have (the chain moves on). */
  forget(peer: Peer): void {
    const h = this.headers.get(peer.id);
    if (h) {
      clearTimeout(h.timer);
      this.headers.delete(peer.id);
      h.reject(new CodedError("UPSTREAM_UNAVAILABLE", "peer disconnected"));
    }
    for (const w of [...(this.blocks.get(peer.id) ?? [])]) this.finish(peer.id, w);
  }

  stop(): void {
    for (const [, h] of this.headers) {
      clearTimeout(h.timer);
      h.reject(new CodedError("UPSTREAM_UNAVAILABLE", "gateway stopping"));
    }
    this.headers.clear();
    for (const [id, list] of this.blocks) for (const w of [...list]) this.finish(id, w);
  }

  private finish(peerId: string, w: BlocksWait): void {
    clearTimeout(w.timer);
    const list = (this.blocks.get(peerId) ?? []).filter((x) => x !== w);
    if (list.length === 0) this.blocks.delete(peerId);
    else this.blocks.set(peerId, list);
    w.resolve(
      w.order.flatMap((hash) => {
        const bytes = w.got.get(hash);
        return bytes ? [{ hash, bytes }] : [];
      }),
    );
  }
}
