/** Base units per coin: amounts on the wire are integers of 10^-8 coin. */
export const UNITS_PER_COIN = 100_000_000n;

/** "1.5" or "150000000u" → base units; refuses negatives, more than 8 decimals and overflow. */
export function parseAmount(text: string, what: string): bigint {
  const units = /^([0-9]{1,20})u$/.exec(text);
  if (units) return checkU64(BigInt(units[1]!), what);
  const m = /^([0-9]{1,12})(?:\.([0-9]{1,8}))?$/.exec(text);
  if (!m)
    throw new TypeError(
      `${what}: expected coins like 1.25 (at most 8 decimals) or base units like 125000000u`,
    );
  return checkU64(BigInt(m[1]!) * UNITS_PER_COIN + BigInt((m[2] ?? "").padEnd(8, "0") || "0"), what);
}

function checkU64(v: bigint, what: string): bigint {
  if (v >= 2n ** 64n) throw new TypeError(`${what}: too large`);
  return v;
}

export function formatCoins(units: string | bigint): string {
  const v = BigInt(units);
  const whole = v / UNITS_PER_COIN;
  const frac = (v % UNITS_PER_COIN).toString().padStart(8, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

export function shortHash(hex: string): string {
  return `${hex.slice(0, 12)}…`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}
