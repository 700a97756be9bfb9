import type { WorkerRecord } from "../store.js";

/** Adaptive replication (BOINC): when a worker's results are trusted enough to run alone. */
export interface TrustOptions {
  /** Consecutive validated results before a worker may run jobs alone (BOINC: 10). */
  threshold: number;
  /** Floor of the spot-check probability of a trusted worker (replicated anyway). */
  minSpotCheck: number;
  /** How long a worker caught disagreeing gets no jobs from this scheduler. */
  distrustMs: number;
  /** Validated results after which a worker's vote anchors a quorum. */
  experienced: number;
  /**
   * Extra lead an answer needs when none of the workers giving it is experienced: colluders win
   * a job only by filling a whole quorum, and newcomers can fill it only this much larger.
   */
  probationExtra: number;
}

export const defaultTrustOptions: TrustOptions = {
  threshold: 10,
  minSpotCheck: 0.05,
  distrustMs: 24 * 3600 * 1000,
  experienced: 3,
  probationExtra: 2,
};

export const newWorkerRecord = (id: string): WorkerRecord => ({
  id,
  streak: 0,
  valid: 0,
  invalid: 0,
  errors: 0,
  distrustedUntil: 0,
});

/** A trusted worker's job is replicated anyway with probability max(1/streak, floor). */
export function spotCheckProbability(w: WorkerRecord, o: TrustOptions): number {
  if (w.streak < o.threshold) return 1;
  return Math.max(1 / w.streak, o.minSpotCheck);
}

export function isExperienced(w: WorkerRecord | undefined, now: number, o: TrustOptions): boolean {
  return w !== undefined && w.valid >= o.experienced && !isDistrusted(w, now);
}

export function isDistrusted(w: WorkerRecord | undefined, now: number): boolean {
  return w !== undefined && w.distrustedUntil > now;
}

/**
 * A result was judged. Only results checked against another worker's (a quorum of two or more)
 * lengthen the streak: a trusted worker's lone runs prove nothing.
 */
export function judged(w: WorkerRecord, agreed: boolean, validated: boolean, now: number, o: TrustOptions) {
  if (!agreed) {
    w.invalid++;
    w.streak = 0;
    w.distrustedUntil = now + o.distrustMs;
  } else if (validated) {
    w.valid++;
    w.streak++;
  }
}
