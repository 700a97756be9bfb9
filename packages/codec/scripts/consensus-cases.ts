import {
  type DsCertificate,
  type DsMessage,
  encodeCertificate,
  encodeDsMessage,
  maskOf,
  toHex,
} from "../src/index.js";

/*
 * Inputs of test/vectors/consensus.json: Dolev-Strong messages and certificates of a network of
 * VALIDATORS validators (a 2-byte signer mask with 6 padding bits), valid and broken. Signatures
 * are placeholders: the codec does not verify them (crypto's vectors cover the signed bytes).
 */

export const VALIDATORS = 10;
const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const sig = (signer: number) => filled(64, 0x10 + signer);
const hashA = Uint8Array.from({ length: 32 }, (_, i) => i);
const hashB = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
const relay = (signers: number[], block = new Uint8Array()): DsMessage => ({
  kind: "relay",
  slot: 7,
  leader: 7 % VALIDATORS,
  blockHash: hashA,
  mask: maskOf(signers, VALIDATORS),
  signatures: signers.map(sig),
  block,
});

export const messageCases: { name: string; message: DsMessage }[] = [
  {
    name: "proposal",
    message: { kind: "proposal", slot: 1, leader: 1, signature: sig(1), block: filled(180, 0xb1) },
  },
  { name: "relay, round 1 (leader only)", message: relay([7]) },
  { name: "relay with its block attached", message: relay([2, 7], filled(180, 0xb1)) },
  { name: "relay, round 3 (signers 0, 7, 9)", message: relay([0, 7, 9]) },
  { name: "relay, every validator", message: relay([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) },
  {
    name: "commit vote",
    message: { kind: "commit", slot: 7, blockHash: hashA, signer: 9, signature: sig(9) },
  },
  {
    name: "evidence",
    message: {
      kind: "evidence",
      slot: 7,
      leader: 7,
      first: { blockHash: hashA, signature: sig(7) },
      second: { blockHash: hashB, signature: filled(64, 0x77) },
    },
  },
  {
    name: "largest slot",
    message: {
      kind: "commit",
      slot: Number.MAX_SAFE_INTEGER,
      blockHash: hashB,
      signer: 0,
      signature: sig(0),
    },
  },
];

export const certificateCases: { name: string; certificate: DsCertificate }[] = [
  {
    name: "f + 1 = 2 signers",
    certificate: { slot: 42, mask: maskOf([3, 8], VALIDATORS), signatures: [sig(3), sig(8)] },
  },
  {
    name: "every validator",
    certificate: {
      slot: 43,
      mask: maskOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], VALIDATORS),
      signatures: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(sig),
    },
  },
];

const hex = (b: Uint8Array) => toHex(b);
const u16 = (v: number) => v.toString(16).padStart(4, "0");
const relayHex = (signers: number[]) => hex(encodeDsMessage(relay(signers)));
// relay = kind(1) version(1) slot(8) leader(2) hash(32) blockLength(4) block maskLength(2) mask
// sigs; hex offsets are twice the byte offsets.
const BLOCK_LENGTH_AT = 2 * (1 + 1 + 8 + 2 + 32);
const MASK_LENGTH_AT = BLOCK_LENGTH_AT + 2 * 4;
const LEADER_AT = 2 * (1 + 1 + 8);
const splice = (h: string, at: number, width: number, by: string) =>
  h.slice(0, at) + by + h.slice(at + width);

export function invalidMessages() {
  const base = relayHex([1, 7]);
  const commit = hex(encodeDsMessage(messageCases[5]!.message));
  const evidence = hex(encodeDsMessage(messageCases[6]!.message));
  const evidenceBody = evidence.slice(2 + 2 + 16 + 4);
  const half = evidenceBody.length / 2;
  return [
    { name: "empty", hex: "", error: "DECODE_TRUNCATED" },
    { name: "unknown kind", hex: `09${base.slice(2)}`, error: "DECODE_UNSUPPORTED" },
    { name: "format version 2", hex: `0202${base.slice(4)}`, error: "DECODE_UNSUPPORTED" },
    {
      name: "declared block above 2 MiB",
      hex: splice(base, BLOCK_LENGTH_AT, 8, "00200001"),
      error: "DECODE_OVERSIZE",
    },
    {
      name: "declared block past the end",
      hex: splice(base, BLOCK_LENGTH_AT, 8, "00000100"),
      error: "DECODE_TRUNCATED",
    },
    {
      name: "oversize mask (3 bytes for 10 validators)",
      hex: splice(base, MASK_LENGTH_AT, 4, u16(3)),
      error: "DECODE_MASK_SIZE",
    },
    {
      name: "short mask (1 byte for 10 validators)",
      hex: splice(base, MASK_LENGTH_AT, 4, u16(1)),
      error: "DECODE_MASK_SIZE",
    },
    {
      name: "bit set past the validators (bit 10)",
      hex: splice(base, MASK_LENGTH_AT + 4, 4, "8204"),
      error: "DECODE_UNKNOWN_SIGNER",
    },
    {
      name: "leader index past the validators",
      hex: splice(base, LEADER_AT, 4, u16(10)),
      error: "DECODE_UNKNOWN_SIGNER",
    },
    {
      name: "bit set without a signature",
      hex: relayHex([1, 7, 9]).slice(0, -128),
      error: "DECODE_MISSING_SIGNATURE",
    },
    { name: "a signature without a bit", hex: base + hex(sig(3)), error: "DECODE_EXTRA_SIGNATURE" },
    { name: "a signature cut short", hex: base.slice(0, -2), error: "DECODE_TRUNCATED" },
    { name: "slot above 2^53-1", hex: splice(base, 4, 16, "0020000000000000"), error: "DECODE_SCHEMA" },
    {
      name: "proposal without a block",
      hex: hex(encodeDsMessage(messageCases[0]!.message)).slice(0, 2 * 76),
      error: "DECODE_TRUNCATED",
    },
    { name: "commit vote cut short", hex: commit.slice(0, -2), error: "DECODE_TRUNCATED" },
    { name: "commit vote with a trailing byte", hex: `${commit}00`, error: "DECODE_OVERSIZE" },
    {
      name: "commit vote from signer 10",
      hex: splice(commit, 2 * (1 + 1 + 8 + 32), 4, u16(10)),
      error: "DECODE_UNKNOWN_SIGNER",
    },
    {
      name: "evidence with hashes in descending order",
      hex:
        evidence.slice(0, evidence.length - evidenceBody.length) +
        evidenceBody.slice(half) +
        evidenceBody.slice(0, half),
      error: "DECODE_NONCANONICAL",
    },
    {
      name: "evidence naming one block twice",
      hex:
        evidence.slice(0, evidence.length - evidenceBody.length) +
        evidenceBody.slice(0, half) +
        evidenceBody.slice(0, half),
      error: "DECODE_SCHEMA",
    },
  ];
}

export function invalidCertificates() {
  const base = hex(encodeCertificate(certificateCases[0]!.certificate));
  const MASK_AT = 2 * (1 + 8);
  return [
    { name: "format version 0", hex: `00${base.slice(2)}`, error: "DECODE_UNSUPPORTED" },
    { name: "oversize mask", hex: splice(base, MASK_AT, 4, u16(3)), error: "DECODE_MASK_SIZE" },
    { name: "bit set without a signature", hex: base.slice(0, -128), error: "DECODE_MISSING_SIGNATURE" },
    {
      name: "bit set past the validators",
      hex: splice(base, MASK_AT + 4, 4, "0804"),
      error: "DECODE_UNKNOWN_SIGNER",
    },
    {
      name: "every signer and one more signature",
      hex: hex(encodeCertificate(certificateCases[1]!.certificate)) + hex(sig(0)),
      error: "DECODE_OVERSIZE",
    },
  ];
}
