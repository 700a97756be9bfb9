import { fromHex, toHex } from "../bytes.js";
import type { DsCertificate, DsEvidence, SignedHash } from "./certificate.js";
import { HASH_BYTES, SIGNATURE_BYTES } from "./layouts.js";
import { maskSigners } from "./mask.js";
import type { DsMessage } from "./messages.js";

/*
 * JSON forms of the consensus objects (REST, logs, test vectors): bytes as lowercase hex, the
 * signer mask as `bitmask` hex with the `signers` it encodes listed beside it for readers.
 * `...FromJson` reads the hex back; the decoders' checks apply when the bytes are decoded.
 */

export interface DsCertificateJson {
  slot: number;
  bitmask: string;
  signers: number[];
  signatures: string[];
}

export interface DsEvidenceJson {
  slot: number;
  leader: number;
  first: { blockHash: string; signature: string };
  second: { blockHash: string; signature: string };
}

export type DsMessageJson =
  | { kind: "proposal"; slot: number; leader: number; signature: string; block: string }
  | {
      kind: "relay";
      slot: number;
      leader: number;
      blockHash: string;
      bitmask: string;
      signers: number[];
      signatures: string[];
      block: string;
    }
  | { kind: "commit"; slot: number; blockHash: string; signer: number; signature: string }
  | ({ kind: "evidence" } & DsEvidenceJson);

export function certificateToJson(c: DsCertificate): DsCertificateJson {
  return {
    slot: c.slot,
    bitmask: toHex(c.mask),
    signers: maskSigners(c.mask),
    signatures: c.signatures.map(toHex),
  };
}

export function certificateFromJson(j: DsCertificateJson): DsCertificate {
  return {
    slot: j.slot,
    mask: fromHex(j.bitmask, "certificate.bitmask"),
    signatures: j.signatures.map((s, i) => fromHex(s, `certificate.signatures[${i}]`, SIGNATURE_BYTES)),
  };
}

const halfToJson = (h: SignedHash) => ({ blockHash: toHex(h.blockHash), signature: toHex(h.signature) });
const halfFromJson = (h: { blockHash: string; signature: string }, what: string): SignedHash => ({
  blockHash: fromHex(h.blockHash, `${what}.blockHash`, HASH_BYTES),
  signature: fromHex(h.signature, `${what}.signature`, SIGNATURE_BYTES),
});

export function evidenceToJson(e: DsEvidence): DsEvidenceJson {
  return { slot: e.slot, leader: e.leader, first: halfToJson(e.first), second: halfToJson(e.second) };
}

export function evidenceFromJson(j: DsEvidenceJson): DsEvidence {
  return {
    slot: j.slot,
    leader: j.leader,
    first: halfFromJson(j.first, "evidence.first"),
    second: halfFromJson(j.second, "evidence.second"),
  };
}

export function dsMessageToJson(m: DsMessage): DsMessageJson {
  switch (m.kind) {
    case "proposal":
      return {
        kind: m.kind,
        slot: m.slot,
        leader: m.leader,
        signature: toHex(m.signature),
        block: toHex(m.block),
      };
    case "relay":
      return {
        kind: m.kind,
        slot: m.slot,
        leader: m.leader,
        blockHash: toHex(m.blockHash),
        bitmask: toHex(m.mask),
        signers: maskSigners(m.mask),
        signatures: m.signatures.map(toHex),
        block: toHex(m.block),
      };
    case "commit":
      return {
        kind: m.kind,
        slot: m.slot,
        blockHash: toHex(m.blockHash),
        signer: m.signer,
        signature: toHex(m.signature),
      };
    case "evidence":
      return { kind: m.kind, ...evidenceToJson(m) };
  }
}

export function dsMessageFromJson(j: DsMessageJson): DsMessage {
  switch (j.kind) {
    case "proposal":
      return {
        kind: j.kind,
        slot: j.slot,
        leader: j.leader,
        signature: fromHex(j.signature, "proposal.signature", SIGNATURE_BYTES),
        block: fromHex(j.block, "proposal.block"),
      };
    case "relay":
      return {
        kind: j.kind,
        slot: j.slot,
        leader: j.leader,
        blockHash: fromHex(j.blockHash, "relay.blockHash", HASH_BYTES),
        mask: fromHex(j.bitmask, "relay.bitmask"),
        signatures: j.signatures.map((s, i) => fromHex(s, `relay.signatures[${i}]`, SIGNATURE_BYTES)),
        block: fromHex(j.block, "relay.block"),
      };
    case "commit":
      return {
        kind: j.kind,
        slot: j.slot,
        blockHash: fromHex(j.blockHash, "commit.blockHash", HASH_BYTES),
        signer: j.signer,
        signature: fromHex(j.signature, "commit.signature", SIGNATURE_BYTES),
      };
    case "evidence":
      return { kind: j.kind, ...evidenceFromJson(j) };
  }
}
