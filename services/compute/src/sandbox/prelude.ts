/**
 * Script run in every fresh context before the function's source. It makes the context
 * deterministic and keeps private copies of JSON.parse/stringify for the host to move values in
 * and out (the function may overwrite the globals; that changes only its own run).
 *
 * - Math.random: sfc32 seeded with the job's 128-bit seed (same numbers on every replica); without
 *   a seed it throws, so a function cannot depend on randomness nobody can reproduce.
 * - Date is not created at all (the context is built without the Date intrinsic); QuickJS has no
 *   timers, no I/O, no modules, no WeakRef or FinalizationRegistry (GC timing) to remove.
 */
export function preludeSource(seedWords: readonly number[] | null): string {
  const seed = seedWords === null ? "null" : `[${seedWords.map((w) => w >>> 0).join(",")}]`;
  return `(function (s) {
  "use strict";
  let random;
  if (s === null) {
    random = function random() {
      throw new TypeError("Math.random is not available: submit the task with a seed");
    };
  } else {
    let a = s[0] | 0, b = s[1] | 0, c = s[2] | 0, d = s[3] | 0;
    random = function random() {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      return (t >>> 0) / 4294967296;
    };
    for (let i = 0; i < 12; i++) random();
  }
  Object.defineProperty(Math, "random", { value: random, writable: false, enumerable: false, configurable: false });
  return { parse: JSON.parse, stringify: JSON.stringify };
})(${seed})`;
}

/** The four 32-bit words of a 128-bit seed given as 32 hex characters. */
export function seedWords(seedHex: string | undefined): number[] | null {
  if (seedHex === undefined) return null;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) words.push(Number.parseInt(seedHex.slice(i * 8, i * 8 + 8).padEnd(8, "0"), 16));
  return words;
}
