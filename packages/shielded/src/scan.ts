import type { Digest } from "@p2pnode/stark";
import { equalDigests } from "./bytes.js";
import { type EncryptedNote, tryDecryptNote, viewTagOf } from "./encryption.js";
import type { ViewingKey } from "./keys.js";
import { commitmentOf, type Note } from "./note.js";
import { X25519Agreement } from "./x25519.js";

/** An output as the chain records it: the note commitment and the ciphertext for its recipient. */
export interface ShieldedOutput {
  commitment: Digest;
  note: EncryptedNote;
}

export interface FoundNote {
  /** Index of the output in the list scanned (the caller maps it to a tree position). */
  index: number;
  note: Note;
  commitment: Digest;
}

export interface ScanStats {
  scanned: number;
  /** Outputs whose view tag matched (ours, and about 1 in 256 of the others). */
  tagMatches: number;
  /** Outputs whose view tag matched and whose ciphertext authenticated under the key. */
  decrypted: number;
  found: number;
}

/**
 * Trial-decrypts every output with the viewing key: one X25519 per distinct ephemeral key (the
 * outputs of one spend share it and come together), one hash per output for the view tag, a
 * decryption only on a tag match. A decrypted note counts only if it opens the output's
 * commitment under the key's own pk, so a sender cannot make a wallet believe in a note the
 * chain does not hold. `onProgress` is called every `progressEvery` outputs.
 */
export function scanOutputs(
  vk: ViewingKey,
  outputs: readonly ShieldedOutput[],
  opts: { onProgress?: (done: number, total: number) => void; progressEvery?: number } = {},
): { found: FoundNote[]; stats: ScanStats } {
  const agreement = new X25519Agreement(vk.secret);
  const found: FoundNote[] = [];
  let decrypted = 0;
  let tagMatches = 0;
  const every = opts.progressEvery ?? 10_000;
  let lastEpk: Uint8Array | undefined;
  let shared: Uint8Array | undefined;
  outputs.forEach((out, index) => {
    if (!lastEpk || !sameBytes(lastEpk, out.note.epk)) {
      lastEpk = out.note.epk;
      shared = agreement.shared(lastEpk);
    }
    const tagged = shared !== undefined && viewTagOf(shared, out.commitment) === out.note.viewTag;
    if (tagged) tagMatches++;
    const note = tagged ? tryDecryptNote(vk, agreement, out, shared) : undefined;
    if (note) {
      decrypted++;
      if (equalDigests(commitmentOf(note), out.commitment))
        found.push({ index, note, commitment: out.commitment });
    }
    if (opts.onProgress && (index + 1) % every === 0) opts.onProgress(index + 1, outputs.length);
  });
  return { found, stats: { scanned: outputs.length, tagMatches, decrypted, found: found.length } };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
