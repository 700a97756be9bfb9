import { Heap } from "../../src/heap.js";

interface SimEvent {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * Virtual time and the event queue of one simulated network. Events at the same instant run in
 * the order they were scheduled, so a run is a pure function of its seed. `trace` folds every
 * delivery into a 32-bit FNV-1a digest: two runs of one seed must end with the same trace.
 */
export class SimWorld {
  now: number;
  trace = 0x811c9dc5;
  delivered = 0;
  private seq = 0;
  private readonly queue = new Heap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));

  constructor(start: number) {
    this.now = start;
  }

  readonly clock = { now: () => this.now };

  schedule(at: number, run: () => void): void {
    this.queue.push({ at: Math.max(at, this.now), seq: this.seq++, run });
  }

  /** Runs every event up to and including `until`. */
  runUntil(until: number): void {
    for (;;) {
      const next = this.queue.pop();
      if (next === undefined) return;
      if (next.at > until) {
        this.queue.push(next);
        this.now = until;
        return;
      }
      this.now = next.at;
      next.run();
    }
  }

  /** Folds a delivery into the trace. */
  record(from: number, to: number, bytes: Uint8Array): void {
    this.delivered++;
    let h = this.trace;
    for (const v of [this.now, from, to, bytes.length, bytes[0] ?? 0, bytes[bytes.length - 1] ?? 0]) {
      h = Math.imul(h ^ (v & 0xffff), 0x01000193) >>> 0;
      h = Math.imul(h ^ (v >>> 16), 0x01000193) >>> 0;
    }
    this.trace = h;
  }
}
