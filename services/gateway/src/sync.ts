import { toHex } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import type { Peer } from "./peer.js";

interface SyncState {
  headersAskedAt: number;
  /** Blocks asked of this peer and not yet received. */
  wanted: Set<string>;
}

/** Blocks asked for in one get-blocks. */
const BATCH = 64;
/** An unanswered get-headers may be re-sent after this long. */
const RETRY_MS = 10_000;

/**
 * Headers-first catch-up with one peer: get-headers from our locator, then get-blocks for the
 * headers we do not have, in batches; a full headers answer asks for the next run.
 */
export class Sync {
  private readonly states = new Map<string, SyncState>();

  constructor(
    private readonly m: {
      locator: () => Uint8Array[];
      known: (hashHex: string) => boolean;
      maxHeaders: number;
    },
  ) {}

  /** Asks `peer` for headers after our locator, unless a request is already out. */
  start(peer: Peer, locator = this.m.locator()): void {
    const s = this.state(peer);
    if (Date.now() - s.headersAskedAt < RETRY_MS) return;
    s.headersAskedAt = Date.now();
    peer.send({ type: "getHeaders", locator: locator.slice(0, 64), stop: null, max: this.m.maxHeaders });
  }

  /** Handles a headers answer; false if we never asked (unsolicited). */
  onHeaders(peer: Peer, headers: Uint8Array[]): boolean {
    const s = this.states.get(peer.id);
    if (!s || s.headersAskedAt === 0) return false;
    s.headersAskedAt = 0;
    const missing: Uint8Array[] = [];
    for (const h of headers) {
      const hash = headerHash(h);
      const hex = toHex(hash);
      peer.known.add(hex);
      if (!this.m.known(hex) && !s.wanted.has(hex)) {
        missing.push(hash);
        s.wanted.add(hex);
      }
    }
    for (let i = 0; i < missing.length; i += BATCH)
      peer.send({ type: "getBlocks", hashes: missing.slice(i, i + BATCH) });
    if (headers.length >= this.m.maxHeaders) {
      const last = headerHash(headers[headers.length - 1]!);
      this.start(peer, [last]);
    }
    return true;
  }

  /** Whether `hashHex` was asked of `peer` (and marks it received). */
  takeWanted(peer: Peer, hashHex: string): boolean {
    return this.states.get(peer.id)?.wanted.delete(hashHex) ?? false;
  }

  forget(peer: Peer): void {
    this.states.delete(peer.id);
  }

  private state(peer: Peer): SyncState {
    let s = this.states.get(peer.id);
    if (!s) {
      s = { headersAskedAt: 0, wanted: new Set() };
      this.states.set(peer.id, s);
    }
    return s;
  }
}
