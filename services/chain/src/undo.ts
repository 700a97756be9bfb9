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

export function encodeUndo(entries: readonly UndoEntry[]): Buffer {
  let size = 5;
  const balances: (Buffer | undefined)[] = entries.map((e) => {
    const b = e.before ? balanceBytes(e.before.balance) : undefined;
    size += 2 + e.address.length + (b?.length ?? 0) + (e.before ? 8 : 0);
    return b;
  });
  const out = Buffer.allocUnsafe(size);
  out[0] = FORMAT;
  out.writeUInt32BE(entries.length, 1);
  let at = 5;
  entries.forEach((e, i) => {
    out[at++] = e.address.length;
    out.set(e.address, at);
    at += e.address.length;
    const b = balances[i];
    if (!e.before || !b) {
      out[at++] = ABSENT;
      return;
    }
    out[at++] = b.length;
    out.set(b, at);
    at += b.length;
    let n = e.before.nonce;
    while (n >= 0x80) {
      out[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[at++] = n;
  });
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

function balanceBytes(v: bigint): Buffer {
  if (v < 0n) throw new ChainFault("INTERNAL", `negative balance ${v} in undo data`);
  if (v === 0n) return Buffer.alloc(0);
  const h = v.toString(16);
  const b = Buffer.from(h.length % 2 === 1 ? `0${h}` : h, "hex");
  if (b.length >= ABSENT) throw new ChainFault("INTERNAL", `balance ${v} too large for undo data`);
  return b;
}

/** The first format (JSON `[[addressHex, balance | null, nonce], …]`), read once by the migration. */
export function undoFromJson(json: string): UndoEntry[] {
  return (JSON.parse(json) as [string, string | null, number][]).map(([address, balance, nonce]) => ({
    address: new Uint8Array(Buffer.from(address, "hex")),
    before: balance === null ? undefined : { balance: BigInt(balance), nonce },
  }));
}
