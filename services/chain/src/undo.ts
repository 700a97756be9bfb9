import { ChainFault } from "./errors.js";

/** One account as it was before a block touched it; `before` undefined: it did not exist. */
export interface UndoEntry {
  address: Uint8Array;
  before: { balance: bigint; nonce: number } | undefined;
}

/*
 * A main-chain block's undo data in the `blocks.undo` column, binary (the one reader and writer):
 *   u8 format (1) ‖ u32 count ‖ count × entry
 *   entry = u8 address length ‖ address ‖ u8 balance length, 0xff if the account did not exist ‖
 *           balance, big-endian, no leading zero bytes (0 is empty) ‖ nonce, unsigned LEB128
 * ~30 bytes per account against ~80 as JSON, written without number-to-decimal conversions.
 */
const FORMAT = 1;
const ABSENT = 0xff;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function encodeUndo(entries: readonly UndoEntry[]): Buffer {
  // An upper bound: a balance takes at most 254 bytes (balanceLength), a nonce at most 8.
  let size = 5;
  for (const e of entries)
    size += 2 + e.address.length + (e.before ? balanceLength(e.before.balance) + 8 : 0);
  const out = Buffer.allocUnsafe(size);
  out[0] = FORMAT;
  out.writeUInt32BE(entries.length, 1);
  let at = 5;
  for (const e of entries) {
    out[at++] = e.address.length;
    out.set(e.address, at);
    at += e.address.length;
    if (!e.before) {
      out[at++] = ABSENT;
      continue;
    }
    at = writeBalance(out, at, e.before.balance);
    let n = e.before.nonce;
    while (n >= 0x80) {
      out[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[at++] = n;
  }
  return out.subarray(0, at);
}

export function decodeUndo(bytes: Uint8Array, what: string): UndoEntry[] {
  const bad = (why: string) => new ChainFault("INTERNAL", `store: undo data of ${what} is corrupt (${why})`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 5 || view[0] !== FORMAT) throw bad(`format ${view[0]}`);
  const count = view.readUInt32BE(1);
  const entries: UndoEntry[] = [];
  let at = 5;
  const need = (n: number) => {
    if (at + n > view.length) throw bad("truncated");
  };
  for (let i = 0; i < count; i++) {
    need(1);
    const len = view[at++]!;
    need(len + 1);
    const address = new Uint8Array(view.subarray(at, at + len));
    at += len;
    const balLen = view[at++]!;
    if (balLen === ABSENT) {
      entries.push({ address, before: undefined });
      continue;
    }
    need(balLen);
    const balance = balLen === 0 ? 0n : BigInt(`0x${view.toString("hex", at, at + balLen)}`);
    at += balLen;
    let nonce = 0;
    for (let scale = 1; ; scale *= 0x80) {
      need(1);
      const b = view[at++]!;
      nonce += (b & 0x7f) * scale;
      if (b < 0x80) break;
      if (scale > 2 ** 49) throw bad("nonce too long");
    }
    entries.push({ address, before: { balance, nonce } });
  }
  if (at !== view.length) throw bad("trailing bytes");
  return entries;
}

/** Bytes of a balance, big-endian without leading zeros (0 takes none). */
function balanceLength(v: bigint): number {
  if (v < 0n) throw new ChainFault("INTERNAL", `negative balance ${v} in undo data`);
  if (v <= MAX_SAFE) {
    let n = Number(v);
    let length = 0;
    for (; n > 0; n = Math.floor(n / 256)) length++;
    return length;
  }
  const length = Math.ceil(v.toString(16).length / 2);
  if (length >= ABSENT) throw new ChainFault("INTERNAL", `balance ${v} too large for undo data`);
  return length;
}

/** Writes the length byte and the balance's bytes at `at`; returns where they end. */
function writeBalance(out: Buffer, at: number, v: bigint): number {
  const length = balanceLength(v);
  out[at] = length;
  if (v <= MAX_SAFE) {
    // Most balances: plain number arithmetic, no hex string per account.
    let n = Number(v);
    for (let i = at + length; i > at; i--, n = Math.floor(n / 256)) out[i] = n % 256;
  } else {
    const h = v.toString(16);
    out.write(h.length % 2 === 1 ? `0${h}` : h, at + 1, length, "hex");
  }
  return at + 1 + length;
}

/** The first format (JSON `[[addressHex, balance | null, nonce], …]`), read once by the migration. */
export function undoFromJson(json: string): UndoEntry[] {
  return (JSON.parse(json) as [string, string | null, number][]).map(([address, balance, nonce]) => ({
    address: new Uint8Array(Buffer.from(address, "hex")),
    before: balance === null ? undefined : { balance: BigInt(balance), nonce },
  }));
}
