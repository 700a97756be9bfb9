import fc from "fast-check";
import { HEADER_SIZE } from "../src/header.js";
import type { InvItem, P2pMessage, PeerAddress } from "../src/index.js";

/* fast-check generators of valid P2P messages, shared by the property test and the fuzz script. */

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const height = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const inv: fc.Arbitrary<InvItem[]> = fc.array(
  fc.record({ kind: fc.constantFrom("tx" as const, "block" as const), hash }),
  { maxLength: 20 },
);
const addr: fc.Arbitrary<PeerAddress> = fc.record({
  host: fc.constantFrom("127.0.0.1", "10.0.0.7", "node-3.p2p.svc", "::1"),
  port: fc.integer({ min: 0, max: 65535 }),
  nodeId: hash,
  latencyMs: fc.integer({ min: 0, max: 3_600_000 }),
});
const header = fc.uint8Array({ minLength: HEADER_SIZE, maxLength: HEADER_SIZE });
const work = fc.bigInt({ min: 0n, max: 2n ** 256n }).map((n) => n.toString());

export const p2pMessage: fc.Arbitrary<P2pMessage> = fc.oneof(
  fc.record({ type: fc.constant("status" as const), height, tipHash: hash, totalWork: work }),
  fc.record({ type: fc.constant("ping" as const), nonce: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.record({ type: fc.constant("pong" as const), nonce: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
  fc.constant({ type: "getAddr" as const }),
  fc.record({ type: fc.constant("addr" as const), addrs: fc.array(addr, { maxLength: 5 }) }),
  fc.record({ type: fc.constant("inv" as const), items: inv }),
  fc.record({ type: fc.constant("getData" as const), items: inv }),
  fc.record({ type: fc.constant("notFound" as const), items: inv }),
  fc.record({ type: fc.constant("tx" as const), tx: fc.uint8Array({ maxLength: 1024 }) }),
  fc.record({ type: fc.constant("block" as const), block: fc.uint8Array({ maxLength: 4096 }) }),
  fc.record({
    type: fc.constant("getHeaders" as const),
    locator: fc.array(hash, { maxLength: 64 }),
    stop: fc.option(hash, { nil: null }),
    max: fc.integer({ min: 0, max: 2000 }),
  }),
  fc.record({ type: fc.constant("headers" as const), headers: fc.array(header, { maxLength: 4 }) }),
  fc.record({ type: fc.constant("getBlocks" as const), hashes: fc.array(hash, { maxLength: 10 }) }),
  fc.record({
    type: fc.constant("blocks" as const),
    blocks: fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant("validationRequest" as const),
    id: u32,
    kind: fc.constantFrom("tx" as const, "block" as const),
    body: fc.uint8Array({ maxLength: 512 }),
  }),
  fc.record({
    type: fc.constant("validationResult" as const),
    id: u32,
    ok: fc.boolean(),
    reason: fc.string({ maxLength: 64 }),
  }),
  fc.record({
    type: fc.constant("chainRequest" as const),
    id: u32,
    fromHeight: height,
    max: fc.integer({ min: 0, max: 2000 }),
  }),
  fc.record({
    type: fc.constant("chainResponse" as const),
    id: u32,
    height,
    tipHash: hash,
    headers: fc.array(header, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant("consensus" as const), message: fc.uint8Array({ maxLength: 512 }) }),
  fc.record({
    type: fc.constant("finalBlock" as const),
    block: fc.uint8Array({ maxLength: 512 }),
    certificate: fc.uint8Array({ maxLength: 200 }),
  }),
  fc.record({
    type: fc.constant("getFinal" as const),
    id: u32,
    fromHeight: height,
    max: fc.integer({ min: 0, max: 64 }),
  }),
  fc
    .array(fc.tuple(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ maxLength: 200 })), { maxLength: 4 })
    .chain((pairs) =>
      fc.record({
        type: fc.constant("finalBlocks" as const),
        id: u32,
        blocks: fc.constant(pairs.map((p) => p[0])),
        certificates: fc.constant(pairs.map((p) => p[1])),
      }),
    ),
);
