import { assertBytes } from "../bytes.js";
import { CodecError } from "../errors.js";
import {
  type DsCertificate,
  type DsEvidence,
  EVIDENCE_BYTES,
  encodeEvidence,
  maxCertificateBytes,
  readCertificate,
  readEvidence,
} from "./certificate.js";
import { Reader } from "./cursor.js";
import {
  COMMIT_VOTE_BYTES,
  DS_FORMAT_VERSION,
  type DsCommitVote,
  type DsProposal,
  type DsRelay,
  encodeCommitVote,
  encodeProposal,
  encodeRelay,
  MAX_PROPOSAL_BYTES,
  maxRelayBytes,
  readCommitVote,
  readProposal,
  readRelay,
} from "./layouts.js";
import { checkValidatorCount } from "./mask.js";

/*
 * One consensus message = kind u8 ‖ body, the body starting with its format version u8. The
 * kind comes first so a receiver knows the largest valid body for the validator count before it
 * reads anything else; every decoder checks that bound first.
 */

export const DS_MESSAGE_CODES = { proposal: 0x01, relay: 0x02, commit: 0x03, evidence: 0x04 } as const;
export type DsMessageKind = keyof typeof DS_MESSAGE_CODES;

export type DsMessage =
  | ({ kind: "proposal" } & DsProposal)
  | ({ kind: "relay" } & DsRelay)
  | ({ kind: "commit" } & DsCommitVote)
  | ({ kind: "evidence" } & DsEvidence);

const KIND_OF_CODE = new Map<number, DsMessageKind>(
  Object.entries(DS_MESSAGE_CODES).map(([k, c]) => [c, k as DsMessageKind]),
);

/** Largest encoded body of each kind for `n` validators (kind byte excluded). */
export function dsMaxBodyBytes(kind: DsMessageKind, n: number): number {
  switch (kind) {
    case "proposal":
      return MAX_PROPOSAL_BYTES;
    case "relay":
      return maxRelayBytes(n);
    case "commit":
      return COMMIT_VOTE_BYTES;
    case "evidence":
      return EVIDENCE_BYTES;
  }
}

export function encodeDsMessage(m: DsMessage): Uint8Array {
  switch (m?.kind) {
    case "proposal":
      return encodeProposal(m, DS_MESSAGE_CODES.proposal);
    case "relay":
      return encodeRelay(m, DS_MESSAGE_CODES.relay);
    case "commit":
      return encodeCommitVote(m, DS_MESSAGE_CODES.commit);
    case "evidence":
      return encodeEvidence(m, DS_MESSAGE_CODES.evidence);
    default:
      throw new CodecError(
        "ENCODE_INVALID",
        `unknown consensus message kind ${String((m as DsMessage)?.kind)}`,
      );
  }
}

/** The kind of an encoded message from its first byte, or undefined for an unknown code. */
export function peekDsMessageKind(bytes: Uint8Array): DsMessageKind | undefined {
  return bytes.length === 0 ? undefined : KIND_OF_CODE.get(bytes[0]!);
}

/**
 * Decodes one consensus message of a network with `n` validators. Every failure is a CodecError:
 * DECODE_UNSUPPORTED (kind or version), DECODE_OVERSIZE (checked on the length alone, first),
 * DECODE_TRUNCATED / DECODE_TRAILING, DECODE_MASK_SIZE, DECODE_UNKNOWN_SIGNER,
 * DECODE_MISSING_SIGNATURE, DECODE_EXTRA_SIGNATURE, DECODE_SCHEMA, DECODE_NONCANONICAL.
 */
export function decodeDsMessage(bytes: Uint8Array, n: number): DsMessage {
  assertBytes(bytes, "consensus message");
  checkValidatorCount(n);
  if (bytes.length === 0) throw new CodecError("DECODE_TRUNCATED", "consensus message: empty");
  const kind = KIND_OF_CODE.get(bytes[0]!);
  if (kind === undefined) {
    throw new CodecError("DECODE_UNSUPPORTED", `consensus message: unknown kind 0x${bytes[0]!.toString(16)}`);
  }
  const what = `consensus ${kind}`;
  const r = openBody(bytes.subarray(1), what, dsMaxBodyBytes(kind, n));
  const m = readBody(kind, r, n, what);
  r.end();
  return m;
}

function readBody(kind: DsMessageKind, r: Reader, n: number, what: string): DsMessage {
  switch (kind) {
    case "proposal":
      return { kind, ...readProposal(r, n, what) };
    case "relay":
      return { kind, ...readRelay(r, n, what) };
    case "commit":
      return { kind, ...readCommitVote(r, n, what) };
    case "evidence":
      return { kind, ...readEvidence(r, n, what) };
  }
}

/** Size limit (before parsing), then the version byte; hands back a reader past it. */
function openBody(body: Uint8Array, what: string, maxBytes: number): Reader {
  if (body.length > maxBytes) {
    throw new CodecError("DECODE_OVERSIZE", `${what}: ${body.length} bytes exceeds ${maxBytes}`);
  }
  const r = new Reader(body, what);
  const version = r.u8("version");
  if (version !== DS_FORMAT_VERSION) {
    throw new CodecError("DECODE_UNSUPPORTED", `${what}: format version ${version}`);
  }
  return r;
}

/** Decodes a certificate (stored and sent with its block) of a network with `n` validators. */
export function decodeCertificate(bytes: Uint8Array, n: number): DsCertificate {
  assertBytes(bytes, "certificate");
  const what = "certificate";
  const r = openBody(bytes, what, maxCertificateBytes(n));
  const c = readCertificate(r, n, what);
  r.end();
  return c;
}

/** Decodes evidence on its own (served over REST, kept in the store). */
export function decodeEvidence(bytes: Uint8Array, n: number): DsEvidence {
  assertBytes(bytes, "evidence");
  checkValidatorCount(n);
  const r = openBody(bytes, "evidence", EVIDENCE_BYTES);
  const e = readEvidence(r, n, "evidence");
  r.end();
  return e;
}
