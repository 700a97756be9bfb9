import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BODY_CODECS,
  bodyCases,
  datagramCases,
  dhtVectorFile,
  manifestCases,
  mutableCases,
  recordCases,
  STAND_IN_SIGNATURE,
} from "../scripts/dht-vectors.js";
import { handshakeCases, jsonForm, p2pCases, p2pVectorFile } from "../scripts/p2p-vectors.js";
import {
  decodeDatagram,
  decodeManifest,
  decodeMutable,
  decodeNodeRecord,
  encodeDatagram,
  encodeManifest,
  encodeMutable,
  encodeNodeRecord,
  MSG_NAMES,
} from "../src/dht/index.js";
import {
  CodecError,
  decodeHandshakePayload,
  decodeP2pMessage,
  encodeHandshakePayload,
  encodeP2pMessage,
  fromHex,
  P2P_MESSAGE_CODES,
  type P2pMessageType,
  toHex,
} from "../src/index.js";

/*
 * The committed wire vectors of PROTOCOL.md (test/vectors/p2p.json and dht.json): every valid
 * vector decodes to its committed fields and re-encodes to its committed bytes, the inputs in
 * scripts/ still encode to those bytes, and every invalid vector fails with its error code.
 */

interface Valid {
  name: string;
  fields: unknown;
  hex: string;
}
interface Invalid {
  name: string;
  hex: string;
  error: string;
  field?: string;
  type?: string;
}
interface Section {
  valid: Valid[];
  invalid: Invalid[];
}

const load = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "vectors", `${name}.json`), "utf8"));
const p2p = load("p2p");
const dht = load("dht");
const bytes = (hex: string) => fromHex(hex, "vector");
const standIn = () => STAND_IN_SIGNATURE;

function expectCode(fn: () => unknown, error: string, field?: string): void {
  expect(fn).toThrow(CodecError);
  expect(fn).toThrow(expect.objectContaining(field ? { code: error, details: { field } } : { code: error }));
}

describe("the vectors files are what the scripts generate", () => {
  it("p2p.json and dht.json match their generators (regenerate with pnpm --filter @p2pnode/codec vectors)", () => {
    expect(JSON.parse(JSON.stringify(p2pVectorFile()))).toEqual(omitGeneratedBy(p2p));
    expect(JSON.parse(JSON.stringify(dhtVectorFile()))).toEqual(omitGeneratedBy(dht));
  });
});

describe("P2P message vectors", () => {
  it("cover every message type", () => {
    const covered = new Set((p2p.valid as { type: string }[]).map((v) => v.type));
    expect([...covered].sort()).toEqual(Object.keys(P2P_MESSAGE_CODES).sort());
  });

  it.each(p2p.valid as (Valid & { type: P2pMessageType; code: number })[])(
    "$name: type byte, fields, bytes both ways",
    (v) => {
      const b = bytes(v.hex);
      expect(b[0]).toBe(P2P_MESSAGE_CODES[v.type]);
      expect(b[0]).toBe(v.code);
      const msg = decodeP2pMessage(b);
      expect(jsonForm(msg)).toEqual(v.fields);
      expect(toHex(encodeP2pMessage(msg))).toBe(v.hex);
      const input = p2pCases.find((c) => c.name === v.name)!;
      expect(toHex(encodeP2pMessage(input.message))).toBe(v.hex);
    },
  );

  it.each(p2p.invalid as Invalid[])("refuses $name with $error", (v) => {
    expectCode(() => decodeP2pMessage(bytes(v.hex)), v.error);
  });

  it.each(p2p.handshakePayload.valid as Valid[])("handshake payload $name", (v) => {
    const payload = decodeHandshakePayload(bytes(v.hex));
    expect(jsonForm(payload)).toEqual(v.fields);
    expect(toHex(encodeHandshakePayload(payload))).toBe(v.hex);
    expect(toHex(encodeHandshakePayload(handshakeCases.find((c) => c.name === v.name)!.payload))).toBe(v.hex);
  });

  it.each(p2p.handshakePayload.invalid as Invalid[])("refuses a handshake payload $name", (v) => {
    expectCode(() => decodeHandshakePayload(bytes(v.hex)), v.error);
  });
});

describe("DHT vectors", () => {
  it("cover every datagram type", () => {
    const covered = new Set((dht.datagram.valid as { fields: { type: string } }[]).map((v) => v.fields.type));
    expect([...covered].sort()).toEqual(Object.values(MSG_NAMES).sort());
  });

  it.each(dht.datagram.valid as Valid[])("datagram $name", (v) => {
    const d = decodeDatagram(bytes(v.hex));
    expect(toHex(d.signature)).toBe(dht.standInSignature);
    expect(toHex(d.signed)).toBe(v.hex.slice(0, -128));
    const { signed: _s, signature: _g, size: _z, ...fields } = d;
    expect({ ...(jsonForm(fields) as object), type: MSG_NAMES[d.type] }).toEqual(v.fields);
    expect(toHex(encodeDatagram(fields, standIn))).toBe(v.hex);
    expect(toHex(encodeDatagram(datagramCases.find((c) => c.name === v.name)!.fields, standIn))).toBe(v.hex);
  });

  it.each(dht.datagram.invalid as Invalid[])("refuses a datagram: $name with $error", (v) => {
    expectCode(() => decodeDatagram(bytes(v.hex)), v.error, v.field);
  });

  it.each(dht.bodies.valid as (Valid & { type: string })[])("body $name", (v) => {
    const codec = BODY_CODECS[v.type]!;
    const value = codec.decode(bytes(v.hex));
    expect(jsonForm(value)).toEqual(v.fields);
    expect(toHex(codec.encode(value as never))).toBe(v.hex);
    const input = bodyCases.find((c) => c.name === v.name)!;
    expect(toHex(codec.encode(input.value as never))).toBe(v.hex);
  });

  it.each(dht.bodies.invalid as Invalid[])("refuses a $type body: $name with $error", (v) => {
    expectCode(() => BODY_CODECS[v.type!]!.decode(bytes(v.hex)), v.error);
  });

  const formats = [
    {
      key: "nodeRecord",
      decode: decodeNodeRecord,
      encode: encodeNodeRecord,
      cases: recordCases.map((c) => c.record),
    },
    {
      key: "mutableRecord",
      decode: decodeMutable,
      encode: encodeMutable,
      cases: mutableCases.map((c) => c.record),
    },
    {
      key: "manifest",
      decode: decodeManifest,
      encode: (m: never) => encodeManifest(m),
      cases: manifestCases.map((c) => c.manifest),
    },
  ] as const;

  for (const f of formats) {
    const section = dht[f.key] as Section;
    it.each(section.valid.map((v, i) => ({ ...v, i })))(`${f.key} $name`, (v) => {
      const decoded = f.decode(bytes(v.hex)) as { signed?: Uint8Array; signature?: Uint8Array };
      const { signed, signature, ...fields } = decoded;
      expect(jsonForm(fields)).toEqual(v.fields);
      const encode = f.encode as (x: unknown, s: () => Uint8Array) => Uint8Array;
      expect(toHex(encode(fields, standIn))).toBe(v.hex);
      expect(toHex(encode(f.cases[v.i], standIn))).toBe(v.hex);
      if (signature) expect(toHex(signed!) + toHex(signature)).toBe(v.hex);
    });
    it.each(section.invalid)(`refuses a ${f.key}: $name with $error`, (v) => {
      expectCode(() => f.decode(bytes(v.hex)), v.error);
    });
  }
});

function omitGeneratedBy(file: { generatedBy?: string }): object {
  const { generatedBy: _, ...rest } = file;
  return rest;
}
