import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COMMIT_VOTE_BYTES,
  CodecError,
  certificateFromJson,
  certificateToJson,
  DS_MESSAGE_CODES,
  type DsCertificateJson,
  type DsMessage,
  type DsMessageJson,
  decodeCertificate,
  decodeDsMessage,
  decodeEvidence,
  dsMessageFromJson,
  dsMessageToJson,
  encodeCertificate,
  encodeDsMessage,
  encodeEvidence,
  fromHex,
  maskBytes,
  maskOf,
  maskSigners,
  maxRelayBytes,
  peekDsMessageKind,
  popcount,
  toHex,
} from "../src/index.js";

interface Vectors<J> {
  valid: { name: string; json: J; hex: string }[];
  invalid: { name: string; hex: string; error: string }[];
}
const vectors: {
  validatorCount: number;
  messages: Vectors<DsMessageJson>;
  certificates: Vectors<DsCertificateJson>;
} = JSON.parse(readFileSync(join(import.meta.dirname, "vectors", "consensus.json"), "utf8"));
const n = vectors.validatorCount;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
  return "OK";
}

describe("consensus vectors (test/vectors/consensus.json)", () => {
  it.each(vectors.messages.valid)("encodes and decodes $name to the committed bytes", ({ json, hex }) => {
    expect(toHex(encodeDsMessage(dsMessageFromJson(json)))).toBe(hex);
    expect(dsMessageToJson(decodeDsMessage(fromHex(hex, "vector"), n))).toEqual(json);
  });

  it.each(vectors.messages.invalid)("refuses the message $name with $error", ({ hex, error }) => {
    expect(codeOf(() => decodeDsMessage(fromHex(hex, "vector"), n))).toBe(error);
  });

  it.each(vectors.certificates.valid)("encodes and decodes the certificate $name", ({ json, hex }) => {
    expect(toHex(encodeCertificate(certificateFromJson(json)))).toBe(hex);
    expect(certificateToJson(decodeCertificate(fromHex(hex, "vector"), n))).toEqual(json);
  });

  it.each(vectors.certificates.invalid)("refuses the certificate $name with $error", ({ hex, error }) => {
    expect(codeOf(() => decodeCertificate(fromHex(hex, "vector"), n))).toBe(error);
  });
});

describe("signer masks", () => {
  it("size from the validator count: ⌈n/8⌉ bytes, LSB-first bits", () => {
    expect([1, 8, 9, 16, 17, 1000].map(maskBytes)).toEqual([1, 1, 2, 2, 3, 125]);
    expect(toHex(maskOf([0, 9], 10))).toBe("0102");
    expect(maskSigners(maskOf([15, 3, 8], 16))).toEqual([3, 8, 15]);
    expect(popcount(maskOf([0, 1, 2, 9], 10))).toBe(4);
  });

  it("make certificates of 11 + ⌈n/8⌉ + 64·k bytes (140 for n = 4, k = 2; 397 for n = 16, k = 6)", () => {
    const size = (count: number, k: number) =>
      encodeCertificate({
        slot: 1,
        mask: maskOf([...Array(k).keys()], count),
        signatures: Array.from({ length: k }, () => new Uint8Array(64)),
      }).length;
    expect([size(4, 2), size(16, 6), size(1000, 334)]).toEqual([140, 397, 11 + 125 + 64 * 334]);
  });

  it("are checked against the count the decoder is given, not the sender's", () => {
    const bytes = encodeDsMessage(relayOf([0, 1], 16));
    expect(decodeDsMessage(bytes, 16).kind).toBe("relay");
    // The same relay to a network of 8 validators: a 2-byte mask is one byte too long.
    expect(codeOf(() => decodeDsMessage(bytes, 8))).toBe("DECODE_MASK_SIZE");
    // And to 17: one byte too short (a mask never wraps or pads to fit).
    expect(codeOf(() => decodeDsMessage(bytes, 17))).toBe("DECODE_MASK_SIZE");
  });

  it("refuse a relay past the largest size n validators can sign, by its length alone", () => {
    // Zeros: version 0, which would be refused later; the length must be refused first.
    const input = new Uint8Array(1 + maxRelayBytes(4) + 1);
    input[0] = DS_MESSAGE_CODES.relay;
    expect(codeOf(() => decodeDsMessage(input, 4))).toBe("DECODE_OVERSIZE");
    const commit = new Uint8Array(1 + COMMIT_VOTE_BYTES + 1);
    commit[0] = DS_MESSAGE_CODES.commit;
    expect(codeOf(() => decodeDsMessage(commit, 4))).toBe("DECODE_OVERSIZE");
  });
});

function relayOf(signers: number[], count: number, slot = 3): DsMessage {
  return {
    kind: "relay",
    slot,
    leader: signers[0] ?? 0,
    blockHash: new Uint8Array(32).fill(5),
    mask: maskOf(signers, count),
    signatures: signers.map((s) => new Uint8Array(64).fill(s)),
    block: new Uint8Array(),
  };
}

const sigs = fc.uint8Array({ minLength: 64, maxLength: 64 });
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const slot = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const network = fc.integer({ min: 1, max: 40 }).chain((count) =>
  fc.tuple(
    fc.constant(count),
    fc.oneof(
      fc.record({
        kind: fc.constant("proposal" as const),
        slot,
        leader: fc.integer({ min: 0, max: count - 1 }),
        signature: sigs,
        block: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      }),
      fc.uniqueArray(fc.integer({ min: 0, max: count - 1 }), { maxLength: count }).chain((signers) =>
        fc.record({
          kind: fc.constant("relay" as const),
          slot,
          leader: fc.integer({ min: 0, max: count - 1 }),
          blockHash: hash,
          mask: fc.constant(maskOf(signers, count)),
          signatures: fc.array(sigs, { minLength: signers.length, maxLength: signers.length }),
          block: fc.uint8Array({ maxLength: 200 }),
        }),
      ),
      fc.record({
        kind: fc.constant("commit" as const),
        slot,
        blockHash: hash,
        signer: fc.integer({ min: 0, max: count - 1 }),
        signature: sigs,
      }),
    ) as fc.Arbitrary<DsMessage>,
  ),
);

describe("consensus codec properties", () => {
  it("round-trips every message byte for byte, and the first byte names its kind", () => {
    fc.assert(
      fc.property(network, ([count, m]) => {
        const bytes = encodeDsMessage(m);
        expect(peekDsMessageKind(bytes)).toBe(m.kind);
        expect(encodeDsMessage(decodeDsMessage(bytes, count))).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it("answers any mutation or truncation with a CodecError or a valid message, never a crash", () => {
    fc.assert(
      fc.property(network, fc.nat(), fc.integer({ min: 0, max: 255 }), ([count, m], at, byte) => {
        const bytes = encodeDsMessage(m);
        const mutated = Uint8Array.from(bytes);
        mutated[at % bytes.length] = byte;
        for (const input of [mutated, bytes.subarray(0, at % bytes.length)]) {
          const code = codeOf(() => decodeDsMessage(input, count));
          expect(code).toMatch(/^(OK|DECODE_[A-Z_]+)$/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("evidence is encoded with the smaller hash first whatever order it is given in", () => {
    const e = {
      slot: 9,
      leader: 1,
      first: { blockHash: new Uint8Array(32).fill(9), signature: new Uint8Array(64).fill(1) },
      second: { blockHash: new Uint8Array(32).fill(2), signature: new Uint8Array(64).fill(2) },
    };
    const decoded = decodeEvidence(encodeEvidence(e), 4);
    expect(decoded.first.blockHash[0]).toBe(2);
    expect(encodeEvidence(decoded)).toEqual(encodeEvidence(e));
    expect(codeOf(() => encodeEvidence({ ...e, second: e.first }))).toBe("ENCODE_INVALID");
  });
});
