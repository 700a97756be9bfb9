import fc from "fast-check";
import { FUZZ_TARGETS, type FuzzTarget, isTypedError } from "./targets.js";

export interface FuzzResult {
  target: string;
  inputs: number;
  decoded: number;
  typedErrors: number;
  /** Inputs that threw anything but a typed error: each is a bug. */
  crashes: number;
  firstCrash: { inputHex: string; error: string } | null;
  seconds: number;
  peakRssMiB: number;
  /** Heap after a GC at the end minus before the target (needs --expose-gc to be exact). */
  heapGrowthMiB: number;
}

/**
 * Random bytes of a random length up to `max`, expanded from one generated 32-bit seed (fast-check
 * draws each byte of a uint8Array separately, ~10x slower for kilobyte inputs; shrinking is not
 * needed: a crash is reported with its input and replays from the run's seed).
 */
function bytes(max: number): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.nat(max), fc.integer()).map(([len, seed]) => {
    const out = new Uint8Array(len);
    let x = seed | 1;
    for (let i = 0; i < len; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  });
}

/**
 * Inputs for a target: random bytes (short and long), and genuine encodings mutated — bytes
 * flipped, truncated, extended, spliced with random bytes — so the decoder gets past its first
 * checks. fast-check generates them from a seed, so a crash replays with the same seed.
 */
function inputs(t: FuzzTarget): fc.Arbitrary<Uint8Array> {
  const random = fc.oneof(bytes(64), bytes(2_048));
  if (t.seeds.length === 0) return random;
  const mutated = fc
    .tuple(
      fc.nat(t.seeds.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      fc.option(fc.nat(), { freq: 3 }),
      fc.option(bytes(32), { freq: 4 }),
    )
    .map(([i, flips, cut, tail]) => {
      const src = t.seeds[i]!;
      let m = src.slice();
      for (const [at, x] of flips) if (m.length > 0) m[at % m.length]! ^= x;
      if (cut !== null) m = m.subarray(0, cut % (m.length + 1));
      if (tail !== null) {
        const out = new Uint8Array(m.length + tail.length);
        out.set(m);
        out.set(tail, m.length);
        m = out;
      }
      return m;
    });
  return fc.oneof({ arbitrary: random, weight: 1 }, { arbitrary: mutated, weight: 3 });
}

export function fuzzTarget(t: FuzzTarget, runs: number, seed: number): FuzzResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const r: FuzzResult = {
    target: t.name,
    inputs: 0,
    decoded: 0,
    typedErrors: 0,
    crashes: 0,
    firstCrash: null,
    seconds: 0,
    peakRssMiB: 0,
    heapGrowthMiB: 0,
  };
  const started = performance.now();
  fc.assert(
    fc.property(inputs(t), (b) => {
      r.inputs++;
      if ((r.inputs & 0x3fff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      try {
        t.run(b);
        r.decoded++;
      } catch (err) {
        if (isTypedError(err)) r.typedErrors++;
        else {
          r.crashes++;
          r.firstCrash ??= { inputHex: Buffer.from(b).toString("hex").slice(0, 512), error: String(err) };
        }
      }
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  r.seconds = (performance.now() - started) / 1000;
  gc?.();
  r.peakRssMiB = Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20;
  r.heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  return r;
}

export function fuzzAll(runs: number, seed: number, only?: string[]): FuzzResult[] {
  return FUZZ_TARGETS.filter((t) => !only || only.includes(t.name)).map((t) => fuzzTarget(t, runs, seed));
}
