import { createHash } from "node:crypto";

/*
 * Looks for secrets in captured payloads, in every encoding a leak could plausibly take: raw
 * bytes anywhere in a binary payload, hex (either case) and base64 strings decoded back to
 * bytes, and text (addresses, decimal amounts and field elements as whole tokens).
 */

export interface Secret {
  what: string;
  /** Byte strings that must not occur (raw, or inside any hex/base64 string). */
  bytes: Uint8Array[];
  /** Text that must not occur. */
  text: RegExp[];
}

/** An amount as a leak would encode it: u64 and u32 (a field element) in both byte orders, decimal, coins. */
export function amountSecret(what: string, units: bigint): Secret {
  const u64 = (le: boolean) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, units, le);
    return b;
  };
  const u32 = (le: boolean) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, Number(units), le);
    return b;
  };
  const coins = `${units / 100_000_000n}.${(units % 100_000_000n).toString().padStart(8, "0").replace(/0+$/, "")}`;
  const token = (s: string) => new RegExp(`(?<![0-9A-Za-z.])${s.replace(".", "\\.")}(?![0-9A-Za-z])`);
  return {
    what,
    bytes: [u64(true), u64(false), ...(units < 2n ** 32n ? [u32(true), u32(false)] : [])],
    text: [token(units.toString()), token(coins)],
  };
}

/**
 * A party: its shielded address as text; its key bytes (each also with every 4-byte word
 * reversed), also as a JSON-style list of decimal bytes; and its keys' field elements as
 * decimal numbers (a witness or a trace would hold them so).
 */
export function partySecret(
  what: string,
  address: string,
  keys: Uint8Array[],
  words: readonly (readonly number[])[],
): Secret {
  const swapped = (k: Uint8Array) => {
    const out = new Uint8Array(k.length);
    for (let i = 0; i < k.length; i += 4) for (let j = 0; j < 4; j++) out[i + j] = k[i + 3 - j]!;
    return out;
  };
  const decimal = (n: number) => new RegExp(`(?<![0-9A-Za-z.])${n}(?![0-9A-Za-z])`);
  const byteList = (k: Uint8Array) => new RegExp(`(?<![0-9])${[...k.subarray(0, 8)].join(",\\s*")}(?![0-9])`);
  return {
    what,
    bytes: keys.flatMap((k) => [k, swapped(k)]),
    text: [
      new RegExp(address.slice(2), "i"),
      ...keys.map(byteList),
      ...words
        .flat()
        .filter((w) => w >= 1e6)
        .map(decimal),
    ],
  };
}

const HEX_RUN = /[0-9a-fA-F]{16,}/g;
const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;
const PURE_HEX = /^[0-9a-fA-F]+$/;

/** The byte strings a payload holds: itself, and every hex or base64 run in its text, decoded. */
function byteViews(payload: Uint8Array): Buffer[] {
  const raw = Buffer.from(payload);
  const text = raw.toString("latin1");
  const views = [raw];
  for (const m of text.matchAll(HEX_RUN)) views.push(Buffer.from(m[0].slice(0, m[0].length & ~1), "hex"));
  for (const m of text.matchAll(BASE64_RUN))
    if (!PURE_HEX.test(m[0])) views.push(Buffer.from(m[0], "base64"));
  return views;
}

/**
 * Scans payloads for secrets. The same bytes seen again (a block on five nodes, a tx in NATS and
 * on the wire) are scanned once, and a leak is still found wherever it first appears. Random
 * coincidences stay rare: the random content (a few proofs and ciphertexts, ~200 KB) recurs in
 * every container of ~3.5 MB scanned, so a given 4-byte string turns up by chance with
 * probability ~10⁻⁴ per run; 8 bytes and more, never.
 */
export class LeakScan {
  readonly leaks: string[] = [];
  payloads = 0;
  bytesScanned = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly secrets: readonly Secret[]) {}

  scan(payload: Uint8Array | string, where: string): void {
    const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
    this.payloads++;
    const key = createHash("sha256").update(bytes).digest("hex");
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const text = Buffer.from(bytes).toString("latin1");
    const views = byteViews(bytes);
    this.bytesScanned += views.reduce((n, v) => n + v.length, 0);
    for (const s of this.secrets) {
      if (s.text.some((re) => re.test(text))) this.leaks.push(`${where}: ${s.what} as text`);
      else if (s.bytes.some((b) => views.some((v) => v.indexOf(b) >= 0)))
        this.leaks.push(`${where}: ${s.what} as bytes`);
    }
  }
}
