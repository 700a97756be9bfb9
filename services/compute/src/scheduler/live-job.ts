import type { JobOutcome } from "@p2pnode/codec";
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
  timer: NodeJS.Timeout;
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

  get results(): number {
    let n = 0;
    for (const v of this.votes.values()) n += v.workers.length;
    return n;
  }

  /** The leading hash, its votes and its lead over every other answer together. */
  leader(): { hash: string | null; votes: number; lead: number } {
    let best: string | null = null;
    let votes = 0;
    for (const [hash, v] of this.votes)
      if (v.workers.length > votes) {
        best = hash;
        votes = v.workers.length;
      }
    return { hash: best, votes, lead: votes - (this.results - votes) };
  }

  addVote(hash: string, worker: string, outcome: JobOutcome): void {
    this.answered.add(worker);
    const v = this.votes.get(hash);
    if (v) v.workers.push(worker);
    else this.votes.set(hash, { workers: [worker], outcome });
  }

  /** The hash to accept now, if the rule is met. */
  acceptable(): string | null {
    const { hash, lead } = this.leader();
    return hash !== null && lead >= this.needed ? hash : null;
  }

  /** Attempts to start now: before the first dispatch, `replicas`; after, what the lead still lacks. */
  wanted(): number {
    if (this.decided || this.task.ended) return 0;
    if (!this.planned) return this.replicas;
    return Math.max(0, this.needed - Math.max(0, this.leader().lead) - this.inFlight.size);
  }

  isBusyOn(worker: string): boolean {
    for (const a of this.inFlight.values()) if (a.worker === worker) return true;
    return false;
  }
}
