import { encodeJobOutcome, type JobOutcome, toHex } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";

const utf8 = new TextEncoder();

/** SHA-256 of an outcome's canonical encoding: what replicas must match byte for byte. */
export function outcomeHash(o: JobOutcome): string {
  return toHex(sha256(encodeJobOutcome(o)));
}

/** A job's Math.random seed: the task's seed and the job's index, hashed (128 bits, hex). */
export function jobSeed(taskSeed: string, index: number): string {
  return toHex(sha256(utf8.encode(`p2pnode/compute-seed/v1:${taskSeed}:${index}`))).slice(0, 32);
}

export function textHash(text: string): string {
  return toHex(sha256(utf8.encode(text)));
}
