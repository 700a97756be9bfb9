import type { Ed25519Engine, SignedMessage } from "../ed25519.js";

/*
 * The wire form of a batch between the pool and a verify thread: one ArrayBuffer, transferred
 * (not copied), laid out as
 *   count+1 u32 message offsets ‖ count × 32-byte keys ‖ count × 64-byte signatures ‖ messages.
 * One postMessage per batch and no per-item objects to clone. Lengths are checked by the pool
 * before packing (as verify() checks them), so every key and signature has its fixed size.
 */

export interface BatchRequest {
  id: number;
  count: number;
  buffer: ArrayBuffer;
}

/** Verdict bytes, one per item in order: 1 valid, 0 invalid, 2 verify() threw (not expected). */
export interface BatchReply {
  id: number;
  verdicts: Uint8Array;
}

export const VERDICT_ERROR = 2;

/** A thread's first message: its module is loaded and it takes batches with this engine. */
export interface ThreadReady {
  ready: true;
  /** Absent from threads that do not say (test stand-ins). */
  engine?: Ed25519Engine;
  /**
   * The thread's kernel task id (Linux: /proc/thread-self), so a benchmark can read this
   * thread's CPU time apart from the event loop's and V8's helpers'; absent elsewhere.
   */
  tid?: number;
}

export function packBatch(id: number, items: readonly SignedMessage[]): BatchRequest {
  const count = items.length;
  let messageBytes = 0;
  for (const it of items) messageBytes += it.message.length;
  const head = 4 * (count + 1);
  const keysAt = head;
  const sigsAt = keysAt + 32 * count;
  const msgsAt = sigsAt + 64 * count;
  const buffer = new ArrayBuffer(msgsAt + messageBytes);
  const offsets = new Uint32Array(buffer, 0, count + 1);
  const bytes = new Uint8Array(buffer);
  let at = 0;
  items.forEach((it, i) => {
    bytes.set(it.publicKey, keysAt + 32 * i);
    bytes.set(it.signature, sigsAt + 64 * i);
    bytes.set(it.message, msgsAt + at);
    offsets[i] = at;
    at += it.message.length;
  });
  offsets[count] = at;
  return { id, count, buffer };
}

/** The items of a packed batch, as views into its buffer (no copies). */
export function unpackBatch(req: BatchRequest): SignedMessage[] {
  const { count, buffer } = req;
  const offsets = new Uint32Array(buffer, 0, count + 1);
  const keysAt = 4 * (count + 1);
  const sigsAt = keysAt + 32 * count;
  const msgsAt = sigsAt + 64 * count;
  const out: SignedMessage[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      publicKey: new Uint8Array(buffer, keysAt + 32 * i, 32),
      signature: new Uint8Array(buffer, sigsAt + 64 * i, 64),
      message: new Uint8Array(buffer, msgsAt + offsets[i]!, offsets[i + 1]! - offsets[i]!),
    });
  }
  return out;
}
