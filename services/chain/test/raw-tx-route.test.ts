import {
  concatBytes,
  encodeSignedTransaction,
  MAX_SHIELDED_TX_BYTES,
  signedTransactionToJson,
  toHex,
} from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import type { RunningService } from "@p2pnode/kit";
import { eventually, startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { ChainReadSubjects, ChainSubjects, ErrorBody, MempoolPage, TxStatus } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import { alice, bob, carol, testGenesis, transfer } from "./helpers.js";

/*
 * POST /txs/raw on a full node: a wallet's codec bytes are admitted as a peer's are (kept and
 * announced as they came, under their hash), with POST /txs's answers; what is not one canonical
 * encoding, another content type, no body or an oversized one is a typed 4xx that admits nothing.
 */

let node: TestNode;
let svc: RunningService;
const accepted: { id: string; tx: Uint8Array }[] = [];

beforeAll(async () => {
  node = await startTestNode("full", {}, { genesis: testGenesis() });
  svc = await startTestService(chainService, node);
  await node.supervisorBus.subscribe(
    ChainSubjects.txAccepted,
    (e) => void accepted.push(e as { id: string; tx: Uint8Array }),
  );
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
});

const postRaw = (body: Uint8Array | string | undefined, type = "application/octet-stream") =>
  svc.ctx.app.inject({
    method: "POST",
    url: "/txs/raw",
    ...(body === undefined ? {} : { payload: Buffer.from(body), headers: { "content-type": type } }),
  });
const refusal = (res: { statusCode: number; json(): unknown }) => [
  res.statusCode,
  ErrorBody.parse(res.json()).error.code,
];
const poolCount = async () => MempoolPage.parse((await svc.ctx.app.inject({ url: "/mempool" })).json()).count;

describe("POST /txs/raw: a signed tx as its codec bytes", () => {
  it("admits the bytes as they came, under their hash, and relays them; a repeat is 409 DUPLICATE", async () => {
    const bytes = encodeSignedTransaction(transfer(alice, bob, 100n, 0, 10n));
    const res = await postRaw(bytes);
    expect(res.statusCode).toBe(202);
    const id = toHex(txId(bytes));
    expect(res.json()).toEqual({ id, status: "pending" });
    expect(TxStatus.parse((await svc.ctx.app.inject({ url: `/txs/${id}` })).json()).status).toBe("pending");
    // Kept and announced as the very bytes submitted (the gateway relays the event's bytes).
    expect(await node.supervisorBus.request(ChainReadSubjects.txGet, { id })).toEqual({
      tx: bytes,
      status: "mempool",
    });
    await eventually(
      () => accepted.find((e) => e.id === id),
      (e) => e !== undefined,
    );
    expect(accepted.find((e) => e.id === id)!.tx).toEqual(bytes);
    expect(refusal(await postRaw(bytes))).toEqual([409, "DUPLICATE"]);
  });

  it("answers as POST /txs does for the same tx: the rules' codes, and JSON still works beside it", async () => {
    const foreign = encodeSignedTransaction(transfer(alice, bob, 1n, 1, 10n, "othernet"));
    expect(refusal(await postRaw(foreign))).toEqual([400, "INVALID_SIGNATURE"]);
    const gap = encodeSignedTransaction(transfer(alice, bob, 1n, 5, 10n));
    expect(refusal(await postRaw(gap))).toEqual([400, "BAD_NONCE"]);
    const asJson = signedTransactionToJson(transfer(alice, carol, 1n, 1, 10n));
    const json = await svc.ctx.app.inject({ method: "POST", url: "/txs", payload: asJson });
    expect(json.statusCode).toBe(202);
  });

  it("refuses what is not one canonical encoding with 400 DECODE_FAILED, and admits none of it", async () => {
    const before = await poolCount();
    const tx = encodeSignedTransaction(transfer(bob, carol, 1n, 0, 10n));
    // The signature's length in 3 bytes instead of 2: the same value, not its canonical encoding.
    const longForm = concatBytes(
      tx.subarray(0, tx.length - 66),
      new Uint8Array([0x59, 0, 64]),
      tx.subarray(-64),
    );
    const trailing = concatBytes(tx, new Uint8Array([0]));
    for (const body of [
      longForm,
      trailing,
      tx.subarray(0, tx.length - 1),
      new Uint8Array([0xde, 0xad]),
      new Uint8Array(),
    ])
      expect(refusal(await postRaw(body))).toEqual([400, "DECODE_FAILED"]);
    expect(await poolCount()).toBe(before);
  });

  it("takes application/octet-stream only (415), says when there is no body (400), and refuses a body over the largest tx with 413", async () => {
    const before = await poolCount();
    const tx = encodeSignedTransaction(transfer(bob, carol, 1n, 0, 10n));
    expect(refusal(await postRaw(JSON.stringify({ tx: toHex(tx) }), "application/json"))).toEqual([
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ]);
    expect(refusal(await postRaw(toHex(tx), "text/plain"))).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    expect(refusal(await postRaw(undefined))).toEqual([400, "BAD_REQUEST"]);
    expect(refusal(await postRaw(new Uint8Array(MAX_SHIELDED_TX_BYTES + 1)))).toEqual([
      413,
      "PAYLOAD_TOO_LARGE",
    ]);
    expect(await poolCount()).toBe(before);
    expect((await postRaw(tx)).statusCode).toBe(202); // the same tx, sent as it should be
  });

  it("answers every mangled copy of a genuine tx with a typed 400 and admits none (a small fuzz run)", async () => {
    const before = await poolCount();
    const genuine = encodeSignedTransaction(transfer(bob, carol, 1n, 1, 10n));
    // xorshift from a fixed seed: a failure replays with the same inputs.
    let x = 0x2545f491;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const codes = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      let m: Uint8Array = genuine.slice();
      // 1-3 bytes flipped (never to themselves), then maybe cut short or extended.
      for (let f = 1 + (next() % 3); f > 0; f--) m[next() % m.length]! ^= 1 + (next() % 255);
      const shape = next() % 4;
      if (shape === 1) m = m.subarray(0, next() % m.length);
      if (shape === 2) m = concatBytes(m, Uint8Array.from({ length: 1 + (next() % 8) }, next));
      const res = await postRaw(m);
      const [status, code] = refusal(res);
      expect([status, code, i]).toEqual([400, expect.any(String), i]);
      codes.set(code as string, (codes.get(code as string) ?? 0) + 1);
    }
    // The mutations reached past the decoder to the signature check, not only its first bytes.
    expect(codes.get("DECODE_FAILED")).toBeGreaterThan(0);
    expect(codes.get("INVALID_SIGNATURE")).toBeGreaterThan(0);
    expect(await poolCount()).toBe(before);
    expect((await postRaw(genuine)).statusCode).toBe(202); // and the service still admits the real one
  });

  it("is documented in /docs with a binary octet-stream body and its answers", async () => {
    const doc = (await svc.ctx.app.inject({ url: "/docs/json" })).json() as {
      paths: Record<string, { post?: { requestBody?: { content?: unknown }; responses?: object } }>;
    };
    const op = doc.paths["/txs/raw"]?.post;
    expect(op?.requestBody?.content).toEqual({
      "application/octet-stream": { schema: { type: "string", format: "binary" } },
    });
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(["202", "400", "413", "415"]));
  });
});
