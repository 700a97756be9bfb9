/**
 * Fuzzes the frame and message decoders with ≥100k inputs (FUZZ_RUNS, default 120,000): random
 * bytes, mutated and truncated genuine messages, random and tampered frames. Every input must
 * end in a message or a typed error (NoiseError, CodecError), and the heap must stay bounded.
 * Writes bench-results/gateway-fuzz.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import {
  CodecError,
  decodeHandshakePayload,
  decodeP2pMessage,
  encodeP2pMessage,
  type P2pMessage,
} from "@p2pnode/codec";
import { CipherState, NoiseError } from "@p2pnode/crypto";
import { benchSetting } from "@p2pnode/kit/testing";
import fc from "fast-check";
import { SecureChannel } from "../src/frame.js";

const RUNS = benchSetting("FUZZ_RUNS", 120_000, { min: 1 });
const hash = new Uint8Array(32).fill(3);
const templates: P2pMessage[] = [
  { type: "status", height: 7, tipHash: hash, totalWork: "123456" },
  { type: "ping", nonce: 99n },
  { type: "addr", addrs: [{ host: "10.0.0.1", port: 7101, nodeId: hash, latencyMs: 3 }] },
  {
    type: "inv",
    items: [
      { kind: "tx", hash },
      { kind: "block", hash },
    ],
  },
  { type: "tx", tx: new Uint8Array(300).fill(1) },
  { type: "block", block: new Uint8Array(2_000).fill(2) },
  { type: "getHeaders", locator: [hash, hash], stop: null, max: 2000 },
  { type: "headers", headers: [new Uint8Array(176)] },
  { type: "blocks", blocks: [new Uint8Array(100)] },
  { type: "validationResult", id: 1, ok: false, reason: "INVALID_POW" },
  { type: "chainResponse", id: 2, height: 3, tipHash: hash, headers: [] },
];
const encoded = templates.map((m) => encodeP2pMessage(m));

const counts = { decoded: 0, codecErrors: 0, noiseErrors: 0 };
function guard(fn: () => unknown): void {
  try {
    fn();
    counts.decoded++;
  } catch (err) {
    if (err instanceof CodecError) counts.codecErrors++;
    else if (err instanceof NoiseError) counts.noiseErrors++;
    else throw err;
  }
}

const key = new Uint8Array(32).fill(9);
const sender = new SecureChannel({ send: new CipherState(key), receive: new CipherState(key) }, 1 << 20);
const receiver = new SecureChannel({ send: new CipherState(key), receive: new CipherState(key) }, 1 << 20);

globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const perKind = Math.ceil(RUNS / 4);
fc.assert(
  fc.property(fc.uint8Array({ maxLength: 600 }), (b) => guard(() => decodeP2pMessage(b))),
  { numRuns: perKind },
);
fc.assert(
  fc.property(
    fc.nat(encoded.length - 1),
    fc.nat(),
    fc.integer({ min: 1, max: 255 }),
    fc.boolean(),
    (i, at, x, cut) => {
      const src = encoded[i]!;
      const m = cut ? src.subarray(0, at % src.length) : src.slice();
      if (!cut) m[at % m.length]! ^= x;
      guard(() => decodeP2pMessage(m));
      guard(() => decodeHandshakePayload(m));
    },
  ),
  { numRuns: perKind },
);
fc.assert(
  fc.property(fc.uint8Array({ maxLength: 600 }), (b) => guard(() => receiver.decode(receiver.open(b)))),
  {
    numRuns: perKind,
  },
);
fc.assert(
  fc.property(fc.nat(encoded.length - 1), fc.nat(), (i, at) => {
    const frame = sender.sealRaw(encoded[i]!);
    const bad = frame.slice();
    bad[at % bad.length]! ^= 1;
    guard(() => receiver.open(bad));
    guard(() => receiver.decode(receiver.open(frame)));
  }),
  { numRuns: perKind },
);
const seconds = (performance.now() - t0) / 1000;
globalThis.gc?.();
const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
const inputs = perKind * 4;
const result = {
  inputs,
  seconds: Math.round(seconds * 10) / 10,
  inputsPerSecond: Math.round(inputs / seconds),
  ...counts,
  heapGrowthMiB: Math.round(heapGrowthMiB * 10) / 10,
};
console.table(result);
mkdirSync("bench-results", { recursive: true });
writeFileSync("bench-results/gateway-fuzz.json", `${JSON.stringify(result, null, 2)}\n`);
if (heapGrowthMiB > 64) {
  process.stderr.write(`heap grew by ${heapGrowthMiB.toFixed(1)} MiB over the run\n`);
  process.exit(1);
}
