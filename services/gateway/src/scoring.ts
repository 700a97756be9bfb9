/**
 * One misbehaviour score per peer (by NodeId), fed by every layer, explainable: each change is
 * kept as an event the REST API shows. Scores start at 0, go down on misbehaviour and up a
 * little on useful work; negative scores decay back toward 0 so an old mistake is forgiven.
 *
 * The event log explains drops first: a peer that relays a thousand blocks after one bad sync
 * answer must still show that answer. So a reward repeating the newest event's kind is merged
 * into it (with a count), and a full log gives up its oldest reward before any penalty.
 */

export type ScoreKind =
  | "BAD_FRAME"
  | "OVERSIZE_FRAME"
  | "MALFORMED_MESSAGE"
  | "UNKNOWN_MESSAGE"
  | "PROTOCOL_VIOLATION"
  | "FLOOD"
  | "INVALID_BLOCK"
  | "INVALID_TX"
  | "UNWANTED_TX"
  | "UNSOLICITED"
  | "BAD_SYNC_ANSWER"
  | "SYNC_STALL"
  | "INVALID_CONSENSUS"
  | "EQUIVOCATION"
  | "UNSERVED_ANNOUNCEMENT"
  | "WRONG_COMPUTE_RESULT"
  | "USEFUL_BLOCK"
  | "USEFUL_TX"
  | "ADMIN";

/** The scoring table (README.md). −100 is the ban threshold by default. */
export const SCORE_DELTAS: Record<ScoreKind, number> = {
  /** Authentication failed after the handshake: tampering or a broken peer; nothing to salvage. */
  BAD_FRAME: -100,
  /** Larger than the frame limit: never sent by an honest implementation. */
  OVERSIZE_FRAME: -100,
  /** Decrypted fine but does not decode: a bug or an attack. */
  MALFORMED_MESSAGE: -50,
  /** A type code we do not know: may be a newer peer, so only a nudge. */
  UNKNOWN_MESSAGE: -5,
  /** Out-of-order or contradictory messages (status storms, over-long requests). */
  PROTOCOL_VIOLATION: -20,
  /** One message over the rate limit (dropped); ten in a row reach the threshold. */
  FLOOD: -10,
  /** A block that fails proof of work, signatures, Merkle root, …: costs the sender nothing to fix. */
  INVALID_BLOCK: -100,
  /** A tx that can never be valid (bad signature, malformed). */
  INVALID_TX: -20,
  /**
   * A tx that is merely stale or underpriced: races make this normal (every tx relayed while the
   * block that includes it is in flight comes back BAD_NONCE), so it costs nothing.
   */
  UNWANTED_TX: 0,
  /** Data we did not ask for (blocks/headers without a request). */
  UNSOLICITED: -5,
  /**
   * The chain's sync found a peer's answer wrong (bad headers, withheld or invalid bodies, a
   * stall): two of these ban, so sync moves on to honest peers.
   */
  BAD_SYNC_ANSWER: -50,
  /** A sync request unanswered in time: a slow or busy peer more often than a hostile one. */
  SYNC_STALL: -10,
  /** A consensus message refused for a reason only a faulty sender produces (CONSENSUS_FAULTS). */
  INVALID_CONSENSUS: -50,
  /**
   * The peer is a validator that signed two blocks for one slot, proved by its own signatures in
   * evidence the chain verified: only a faulty validator does that, so it bans at once.
   */
  EQUIVOCATION: -100,
  /**
   * Items the peer announced, we requested, and it neither delivered nor answered not-found by
   * the deadline (one event per sweep, whatever the count): an honest peer answers not-found.
   */
  UNSERVED_ANNOUNCEMENT: -20,
  /** A compute result outvoted by the quorum, or a proof that does not verify (compute relay). */
  WRONG_COMPUTE_RESULT: -30,
  USEFUL_BLOCK: 5,
  USEFUL_TX: 1,
  ADMIN: 0,
};

/**
 * Penalties for being slow rather than wrong. A busy honest node earns them (a loaded machine, a
 * long GC pause, a sync behind a large reorg), so past the ban threshold they only disconnect the
 * peer (SLOW_PEER, as Bitcoin Core drops a stalling block peer) and never ban it: a ban would cut
 * an honest node off for a day, and the outstanding-request cap already bounds what a hostile
 * non-server costs.
 */
export const SLOWNESS_KINDS: ReadonlySet<ScoreKind> = new Set<ScoreKind>([
  "SYNC_STALL",
  "UNSERVED_ANNOUNCEMENT",
]);

export interface ScoreEvent {
  /** When it happened (for merged rewards: the latest). */
  at: number;
  kind: ScoreKind;
  /** Points applied (for merged rewards: their sum, before the maxScore cap). */
  delta: number;
  detail?: string;
  /** Rewards merged into this event, when more than one. */
  count?: number;
}

interface Entry {
  score: number;
  updatedAt: number;
  events: ScoreEvent[];
}

export interface PeerScoresOptions {
  /** Points per minute a negative score recovers toward 0. */
  decayPerMinute: number;
  /** Highest score good behaviour can earn (so a peer cannot bank credit for a later attack). */
  maxScore: number;
  /** Events kept per peer (rewards are given up first; see the file comment). */
  maxEvents: number;
  /** Peers remembered (oldest forgotten first). */
  maxPeers: number;
}

export const defaultPeerScoresOptions: PeerScoresOptions = {
  decayPerMinute: 1,
  maxScore: 50,
  maxEvents: 50,
  maxPeers: 10_000,
};

export class PeerScores {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly o: PeerScoresOptions = defaultPeerScoresOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies `kind` (or an explicit delta) to `id`; returns the new score. */
  record(id: string, kind: ScoreKind, detail?: string, delta = SCORE_DELTAS[kind]): number {
    const e = this.entry(id);
    e.score = Math.min(this.o.maxScore, e.score + delta);
    if (delta !== 0 || kind === "ADMIN") this.log(e.events, { at: this.now(), kind, delta, detail });
    return e.score;
  }

  score(id: string): number {
    return this.entries.has(id) ? this.entry(id).score : 0;
  }

  events(id: string): ScoreEvent[] {
    return this.entries.get(id)?.events ?? [];
  }

  known(id: string): boolean {
    return this.entries.has(id);
  }

  /** Forgets a peer's record (unban). */
  reset(id: string): void {
    this.entries.delete(id);
  }

  private log(
    events: ScoreEvent[],
    ev: { at: number; kind: ScoreKind; delta: number; detail: string | undefined },
  ): void {
    const newest = events[0];
    if (ev.delta > 0 && newest !== undefined && newest.kind === ev.kind && newest.delta > 0) {
      newest.at = ev.at;
      newest.delta += ev.delta;
      newest.count = (newest.count ?? 1) + 1;
      if (ev.detail !== undefined) newest.detail = ev.detail;
      return;
    }
    const { at, kind, delta, detail } = ev;
    events.unshift(detail === undefined ? { at, kind, delta } : { at, kind, delta, detail });
    if (events.length <= this.o.maxEvents) return;
    const oldestReward = events.findLastIndex((x) => x.delta > 0);
    events.splice(oldestReward === -1 ? events.length - 1 : oldestReward, 1);
  }

  private entry(id: string): Entry {
    const t = this.now();
    let e = this.entries.get(id);
    if (e === undefined) {
      e = { score: 0, updatedAt: t, events: [] };
      this.entries.set(id, e);
      if (this.entries.size > this.o.maxPeers) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      return e;
    }
    if (e.score < 0) e.score = Math.min(0, e.score + ((t - e.updatedAt) / 60_000) * this.o.decayPerMinute);
    e.updatedAt = t;
    return e;
  }
}
