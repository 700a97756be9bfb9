/*
 * Time as a component sees it, so that simulations run on virtual time: the wall clock in a
 * service, a VirtualClock in a simulation, where a 500 ms timeout costs no wall-clock time, a busy
 * machine cannot make a timer fire early relative to the work it guards, and a run replays exactly
 * from its seed.
 */

export type TimerHandle = { readonly id: unknown };

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The wall clock. Timers are unref'd: a pending timeout never keeps a process alive on its own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return { id: t };
  },
  clearTimeout: (h) => {
    if (h) clearTimeout(h.id as NodeJS.Timeout);
  },
};

interface TimerEvent {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** The work given to VirtualClock.run can never finish: nothing is scheduled and it has not settled. */
export class SimulationStalled extends Error {
  constructor() {
    super("simulation: no events left but the work has not settled");
    this.name = "SimulationStalled";
  }
}

/**
 * Virtual time: timers wait in one queue ordered by due time (then by order of scheduling), and
 * time only moves inside run()/advance(), to the next due timer, after the process has run every
 * callback already pending. Everything a simulation schedules must go through this clock (delays
 * included), or it races the virtual timers.
 */
export class VirtualClock implements Clock {
  private readonly heap: TimerEvent[] = [];
  private seq = 0;
  private time: number;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const ev: TimerEvent = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(ev);
    return { id: ev };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) (handle.id as TimerEvent).cancelled = true;
  }

  /** Runs the timer queue until `work` settles; throws SimulationStalled if it never can. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const mark = () => {
      settled = true;
    };
    work.then(mark, mark);
    while (!settled) {
      await settle();
      if (settled) break;
      const ev = this.pop();
      if (!ev) {
        await settle();
        if (!settled) throw new SimulationStalled();
        break;
      }
      this.time = ev.at;
      ev.fn();
    }
    return work;
  }

  /** Advances virtual time by `ms`, running everything due. */
  async advance(ms: number): Promise<void> {
    let done = false;
    this.setTimeout(() => {
      done = true;
    }, ms);
    await this.run(
      (async () => {
        while (!done) await settle();
      })(),
    );
  }

  private push(ev: TimerEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): TimerEvent | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && before(h[l]!, h[m]!)) m = l;
          if (r < h.length && before(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      if (!top.cancelled) return top;
    }
    return undefined;
  }
}

const before = (a: TimerEvent, b: TimerEvent): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
/** One turn of the event loop: every callback and microtask already pending runs first. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
