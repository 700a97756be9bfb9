import type { JobOutcome } from "@p2pnode/codec";
import type { TimerHandle } from "@p2pnode/kit";
import type { TaskRow } from "../store.js";

/** A task being scheduled: its row and the in-memory state of its jobs. */
export interface LiveTask {
  row: TaskRow;
  jobs: LiveJob[];
  /** Jobs not decided yet. */
  open: number;
  /** Set when the task failed or is being finished: remaining jobs are dropped. */
  ended: boolean;
  /** The function's memory limit (fixed for the task's life). */
  memoryBytes: number;
  done: number;
  failed: number;
  /** Jobs with an attempt in flight. */
  running: Set<number>;
}

export interface LiveAttempt {
  id: string;
  worker: string;
  spotCheck: boolean;
  abort: AbortController;
  timer: TimerHandle;
  /** Aborted because the task ended, not because the worker failed. */
  cancelled?: boolean;
}

/** Which votes count and how many an answer needs in all (the scheduler's trust rules). */
export interface VoteRule {
  counts: (worker: string) => boolean;
  minVotes: (hash: string) => number;
}

export interface Vote {
  workers: string[];
  outcome: JobOutcome;
}

/**
 * One job's scheduling state. Acceptance rule: a result hash is accepted once its votes exceed
 * the votes of all other answers together by `needed` — with no disagreement that is `needed`
 * agreeing results; each dissenting answer raises the bar by one, so a disputed job keeps getting
 * replicas until one answer clearly leads.
 */
export class LiveJob {
  /** Lead the winning hash needs: the task's quorum, or 1 for a trusted worker's lone run. */
  needed: number;
  /** Replicas started at first dispatch. */
  replicas: number;
  /** Attempts counted against the job's cap (refusals are not). */
  attempts = 0;
  planned = false;
  queued = false;
  decided: { hash: string; outcome: JobOutcome } | undefined;
  readonly votes = new Map<string, Vote>();
  /** Workers that answered this job (each may answer once). */
  readonly answered = new Set<string>();
  /** Workers whose attempt failed (timeout, crash): tried again only when nobody else is left. */
  readonly failedOn = new Set<string>();
  readonly inFlight = new Map<string, LiveAttempt>();

  constructor(
    readonly task: LiveTask,
    readonly index: number,
    readonly input: string,
  ) {
    this.needed = task.row.quorum;
    this.replicas = task.row.replication;
  }

  /**
   * The leading answer among the votes that count (a worker caught lying elsewhere since no longer
   * counts), its votes, and the votes of every other answer together.
   */
  tally(counts: (worker: string) => boolean): { hash: string | null; votes: number; others: number } {
    let best: string | null = null;
    let votes = 0;
    let total = 0;
    for (const [hash, v] of this.votes) {
      const n = v.workers.filter(counts).length;
      total += n;
      if (n > votes) {
        best = hash;
        votes = n;
      }
    }
    return { hash: best, votes, others: total - votes };
  }

  addVote(hash: string, worker: string, outcome: JobOutcome): void {
    this.answered.add(worker);
    const v = this.votes.get(hash);
    if (v) v.workers.push(worker);
    else this.votes.set(hash, { workers: [worker], outcome });
  }

  /**
   * Agreeing results the leading answer still lacks: enough to lead every other answer by
   * `needed`, and at least `rule.minVotes(hash)` in all (the probation rule, set by the scheduler).
   */
  shortfall(rule: VoteRule): { hash: string | null; lacking: number } {
    const { hash, votes, others } = this.tally(rule.counts);
    if (hash === null) return { hash, lacking: this.needed };
    return { hash, lacking: Math.max(0, this.needed - (votes - others), rule.minVotes(hash) - votes) };
  }

  /** The answer to accept now, if the rule is met. */
  acceptable(rule: VoteRule): string | null {
    const { hash, lacking } = this.shortfall(rule);
    return hash !== null && lacking === 0 ? hash : null;
  }

  /** Attempts to start now: before the first dispatch, `replicas`; after, what the leader still lacks. */
  wanted(rule: VoteRule): number {
    if (this.decided || this.task.ended) return 0;
    if (!this.planned) return this.replicas;
    return Math.max(0, this.shortfall(rule).lacking - this.inFlight.size);
  }

  isBusyOn(worker: string): boolean {
    for (const a of this.inFlight.values()) if (a.worker === worker) return true;
    return false;
  }
}
