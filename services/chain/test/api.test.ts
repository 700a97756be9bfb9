import {
  blockFromJson,
  concatBytes,
  decodeBlock,
  decodeSignedTransaction,
  encodeBlock,
  encodeBlockFromFrames,
  encodeCanonical,
  encodeHeader,
  encodeSignedTransaction,
  headerFromJson,
  type ShieldTx,
  signedTransactionToJson,
  splitBlock,
  toHex,
} from "@p2pnode/codec";
import { headerHash, signTransaction, txId, verifyMerkleProof } from "@p2pnode/crypto";
import { Bus, createLogger, type RunningService } from "@p2pnode/kit";
import { eventually, startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { CommitmentTree, randomSpendingKey } from "@p2pnode/shielded";
import {
  AccountState,
  BlockDetail,
  BlockPage,
  ChainReadSubjects,
  ChainSubjects,
  ChainValidationReport,
  type CodedError,
  ErrorBody,
  MempoolPage,
  TxStatus,
} from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import { alice, bob, carol, minerA, testGenesis, transfer } from "./helpers.js";
import { shield } from "./shielded-helpers.js";

let node: TestNode;
let svc: RunningService;
let client: Bus;
const events: { subject: string; payload: unknown }[] = [];
const genesis = testGenesis();

beforeAll(async () => {
  node = await startTestNode("full", {}, { genesis });
  svc = await startTestService(chainService, node);
  client = await Bus.connect({
    url: node.nats.url,
    token: node.nats.token,
    name: "test-client",
    version: "0.0.0",
    log: createLogger("test", "silent"),
  });
  client.subscribe(ChainSubjects.blockAccepted, (payload) => void events.push({ subject: "block", payload }));
  client.subscribe(ChainSubjects.txAccepted, (payload) => void events.push({ subject: "tx", payload }));
});
afterAll(async () => {
  await client?.close();
  await svc?.stop();
  await node?.stop();
});

interface InjectArg {
  method?: "GET" | "POST";
  url: string;
  payload?: string | object;
  headers?: Record<string, string>;
}
const inject = (o: InjectArg) => svc.ctx.app.inject(o);
const natsError = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return { code: (err as CodedError).code, status: (err as CodedError).status };
  }
  return { code: "OK", status: 200 };
};

describe("chain over NATS and REST", () => {
  it("answers the tip the same way on both", async () => {
    const tip = await client.request(ChainSubjects.tipGet, {});
    // Its genesis block is the one the node's network names (node.v1.network.get).
    expect(tip).toMatchObject({ height: 0, chainId: genesis.chainId, hash: node.network.genesisHash });
    expect((await inject({ url: "/tip" })).json()).toEqual(tip);
  });

  it("admits txs over NATS and REST, mines a template, and serves blocks, txs, proofs and accounts", async () => {
    // NATS takes the tx's codec bytes, REST its JSON.
    const t1 = encodeSignedTransaction(transfer(alice, bob, 100n, 0, 10n));
    const t2 = signedTransactionToJson(transfer(alice, carol, 50n, 1, 20n));
    const { id: id1 } = await client.request(ChainSubjects.txSubmit, { tx: t1 });
    const rest = await inject({ method: "POST", url: "/txs", payload: t2 });
    expect(rest.statusCode).toBe(202);
    const id2 = rest.json().id as string;
    await eventually(
      () => events.filter((e) => e.subject === "tx").length,
      (n) => n === 2,
    );
    // Each tx event carries the tx's codec bytes (a gateway serves peers' getdata from them).
    const txEvents = events
      .filter((e) => e.subject === "tx")
      .map((e) => e.payload as { id: string; tx: Uint8Array });
    expect(txEvents.map((e) => e.id).sort()).toEqual([id1, id2].sort());
    for (const e of txEvents) expect(toHex(txId(e.tx))).toBe(e.id);
    expect(txEvents.find((e) => e.id === id1)!.tx).toEqual(t1); // the bytes submitted, as they came
    expect(await client.request(ChainReadSubjects.txGet, { id: id1 })).toEqual({ tx: t1, status: "mempool" });
    expect(await natsError(client.request(ChainSubjects.txSubmit, { tx: t1 }))).toEqual({
      code: "DUPLICATE",
      status: 409,
    });
    const pool = MempoolPage.parse((await inject({ url: "/mempool?limit=1" })).json());
    expect(pool).toMatchObject({ count: 2, next: 1 });
    expect(pool.txs[0]!.id).toBe(id2); // higher fee per byte first
    const acct = AccountState.parse((await inject({ url: `/accounts/${alice.hex}` })).json());
    expect(acct).toMatchObject({ balance: "1000000", nonce: 0, pendingNonce: 2, pendingTxs: 2 });
    expect(TxStatus.parse((await inject({ url: `/txs/${id1}` })).json()).status).toBe("pending");

    const template = await client.request(ChainSubjects.templateGet, { miner: minerA.hex });
    expect(template.txs.map((t) => toHex(txId(t)))).toEqual([id1, id2]); // one sender: nonce order
    expect(template.header).toMatchObject({ height: 1, nonce: "0" });
    const mined1 = encodeBlockFromFrames(headerFromJson(template.header), template.txs);
    const verdict = await client.request(ChainSubjects.blockSubmit, { block: mined1, source: "miner" });
    expect(verdict).toMatchObject({ height: 1, status: "connected" });
    await eventually(
      () => events.find((e) => e.subject === "block"),
      (e) => e !== undefined,
    );
    // The block event carries what a relay needs: the block's bytes and the chain's total work.
    const { block, ...fields } = events.find((e) => e.subject === "block")!.payload as { block: Uint8Array };
    const tip = await client.request(ChainSubjects.tipGet, {});
    expect(fields).toEqual({ ...verdict, txCount: 2, totalWork: tip.totalWork });
    expect(block).toEqual(mined1);
    expect(toHex(headerHash(decodeBlock(block).header))).toBe(verdict.hash);
    expect(decodeBlock(block).txs.map((t) => toHex(txId(t)))).toEqual([id1, id2]);

    const mined = TxStatus.parse((await inject({ url: `/txs/${id1}` })).json());
    expect(mined).toMatchObject({
      status: "mined",
      block: { hash: verdict.hash, height: 1, index: 0 },
      confirmations: 1,
    });
    const proof = mined.proof!;
    const ok = verifyMerkleProof(Buffer.from(proof.root, "hex"), Buffer.from(id1, "hex"), {
      index: proof.index,
      size: proof.size,
      path: proof.path.map((p) => Buffer.from(p, "hex")),
    });
    expect(ok).toBe(true);
    expect(proof.root).toBe(template.header.txRoot);

    const byHeight = BlockDetail.parse((await inject({ url: "/blocks/1" })).json());
    const byHash = BlockDetail.parse((await inject({ url: `/blocks/${verdict.hash}` })).json());
    expect(byHeight).toEqual(byHash);
    expect(byHeight).toMatchObject({ status: "main", txCount: 2, confirmations: 1 });
    const page = BlockPage.parse((await inject({ url: "/blocks?from=0&limit=100" })).json());
    expect(page.blocks.map((b) => b.height)).toEqual([0, 1]);
    expect(page.next).toBeNull();
    expect(AccountState.parse((await inject({ url: `/accounts/${minerA.hex}` })).json()).balance).toBe(
      "5030",
    );

    const got = await client.request(ChainReadSubjects.blockGet, { hash: verdict.hash });
    expect(got).toMatchObject({ height: 1, onBestChain: true });
    // The reads the gateway serves peers from are codec bytes, the block's own slices.
    const headers = await client.request(ChainReadSubjects.headersGet, {
      locator: [byHeight.header.prevHash],
    });
    expect(headers.headers).toEqual([decodeBlock(block).header].map(encodeHeader));
    const confirmed = await client.request(ChainReadSubjects.txGet, { id: id1 });
    expect(confirmed).toEqual({ tx: splitBlock(block).txs[0], status: "confirmed" });
  });

  it("GET /state/digest hashes every account at the tip; supply is genesis plus the block reward", async () => {
    const d = (await inject({ url: "/state/digest" })).json();
    const tip = (await inject({ url: "/tip" })).json();
    expect(d).toMatchObject({ height: tip.height, tipHash: tip.hash, accounts: 4 });
    // After the block above: alice, bob and carol moved coins among themselves, minerA got 5,000.
    expect(d.supply).toBe(String(1_000_000 + 500_000 + 5_000));
    const { createHash } = await import("node:crypto");
    const h = createHash("sha256");
    for (const a of [alice.hex, bob.hex, carol.hex, minerA.hex].sort()) {
      const acct = (await inject({ url: `/accounts/${a}` })).json();
      h.update(`${a}:${acct.balance}:${acct.nonce}\n`);
    }
    expect(d.digest).toBe(h.digest("hex"));
  });

  it("takes blocks over REST, says `known` for a repeat, and validates the stored chain", async () => {
    const tip = await client.request(ChainSubjects.tipGet, {});
    const template = await client.request(ChainSubjects.templateGet, { miner: minerA.hex });
    const block = { header: { ...template.header, timestamp: tip.timestamp + 1_000 }, txs: [] };
    const first = await inject({ method: "POST", url: "/blocks", payload: block });
    expect(first.json()).toMatchObject({ height: 2, status: "connected" });
    const again = await inject({ method: "POST", url: "/blocks", payload: block });
    expect(again.json()).toMatchObject({ height: 2, status: "known" });
    // The block's account writes and index row wait in memory; /validate flushes them first.
    const before = (await inject({ url: "/metrics" })).body;
    expect(before).toMatch(/chain_store_pending_rows\{service="chain"\} [1-9]/);
    const report = ChainValidationReport.parse((await inject({ method: "POST", url: "/validate" })).json());
    expect(report).toMatchObject({ ok: true, tipHeight: 2, checkedHeight: 2, txs: 2, firstBadHeight: null });
    const metrics = (await inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(/chain_height\{service="chain"\} 2/);
    expect(metrics).toMatch(/chain_store_pending_rows\{service="chain"\} 0\n/);
    expect(metrics).toMatch(/chain_store_flushes_total\{service="chain"\} [2-9]/); // genesis, /validate
    expect(metrics).toMatch(/chain_store_flushed_rows_total\{service="chain"\} [1-9]/);
    expect(metrics).toMatch(/chain_blocks_accepted_total\{status="connected",service="chain"\} 2/);
    // The two txs mined above came through admission: where their time went is counted.
    expect(metrics).toMatch(/chain_admission_txs_total\{service="chain"\} [1-9]/);
    expect(metrics).toMatch(/chain_mempool_commits_total\{service="chain"\} [1-9]/);
    expect(metrics).toMatch(/chain_mempool_commit_seconds_total\{service="chain"\} \d/);
    // The signature threads say which engine they loaded: libsodium, from the chain's dependencies.
    expect(metrics).toMatch(/chain_ed25519_engine_info\{engine="libsodium",service="chain"\} 1/);
  });
});

describe("malformed input gets a typed 4xx, never a crash", () => {
  const hash = "ab".repeat(32);
  it.each([
    ["GET", "/blocks?limit=101", 400, "VALIDATION_FAILED"],
    ["GET", "/blocks?from=-1", 400, "VALIDATION_FAILED"],
    ["GET", "/blocks?from=abc", 400, "VALIDATION_FAILED"],
    ["GET", "/blocks?from=99999999999999999999", 400, "VALIDATION_FAILED"],
    ["GET", "/blocks/xyz", 400, "VALIDATION_FAILED"],
    ["GET", "/blocks/99999999999999999", 400, "VALIDATION_FAILED"],
    ["GET", "/blocks/12345", 404, "NOT_FOUND"],
    ["GET", `/blocks/${hash}`, 404, "NOT_FOUND"],
    ["GET", "/txs/zz", 400, "VALIDATION_FAILED"],
    ["GET", `/txs/${hash}`, 404, "NOT_FOUND"],
    ["GET", "/accounts/XYZ", 400, "VALIDATION_FAILED"],
    ["GET", "/mempool?limit=0", 400, "VALIDATION_FAILED"],
    ["GET", "/mempool?offset=-5", 400, "VALIDATION_FAILED"],
    ["POST", "/txs", 400, "VALIDATION_FAILED", {}],
    ["POST", "/txs", 400, "BAD_REQUEST", "{not json"],
    ["POST", "/blocks", 400, "VALIDATION_FAILED", { header: {} }],
    ["POST", "/blocks", 400, "BAD_REQUEST", "[[["],
    ["POST", "/validate?signatures=maybe", 400, "VALIDATION_FAILED"],
  ] as const)("%s %s → %i %s", async (method, url, status, code, payload?: unknown) => {
    const res = await inject({
      method,
      url,
      ...(payload === undefined
        ? {}
        : {
            payload: typeof payload === "string" ? payload : JSON.stringify(payload),
            headers: { "content-type": "application/json" },
          }),
    });
    expect(res.statusCode).toBe(status);
    expect(ErrorBody.parse(res.json()).error.code).toBe(code);
  });

  it("tells a block parameter that is neither hash nor height what it takes, and only that", async () => {
    const details = async (url: string) =>
      (ErrorBody.parse((await inject({ url })).json()).error.details as { message: string }[]).map(
        (d) => d.message,
      );
    // "zz" was also told "height beyond 2^53-1": the size check ran on what was no height at all.
    expect(await details("/blocks/zz")).toEqual(["a block hash (64 hex) or a height"]);
    expect(await details("/blocks/9999999999999999")).toEqual(["height beyond 2^53-1"]);
  });

  it("refuses txs and blocks that parse but break the rules with their RejectReason", async () => {
    const foreign = signedTransactionToJson(transfer(alice, bob, 1n, 2, 10n, "othernet"));
    const res = await inject({ method: "POST", url: "/txs", payload: foreign });
    expect([res.statusCode, res.json().error.code]).toEqual([400, "INVALID_SIGNATURE"]);
    const tip = await client.request(ChainSubjects.tipGet, {});
    const template = await client.request(ChainSubjects.templateGet, { miner: minerA.hex });
    const badRoot = encodeBlock(
      blockFromJson({ header: { ...template.header, txRoot: "00".repeat(32) }, txs: [] }),
    );
    expect(
      await natsError(client.request(ChainSubjects.blockSubmit, { block: badRoot, source: "peer" })),
    ).toEqual({
      code: "BAD_MERKLE_ROOT",
      status: 400,
    });
    const gap = {
      header: { ...template.header, height: tip.height + 5, prevHash: "11".repeat(32) },
      txs: [],
    };
    const r = await inject({ method: "POST", url: "/blocks", payload: gap });
    expect([r.statusCode, r.json().error.code]).toEqual([400, "MISSED_BLOCK"]);
    const orphan = { header: { ...template.header, prevHash: "11".repeat(32) }, txs: [] };
    const o = await inject({ method: "POST", url: "/blocks", payload: orphan });
    expect([o.statusCode, o.json().error.code]).toEqual([400, "PREV_HASH_MISMATCH"]);
    const wrongHash = { hash: "00".repeat(32), header: template.header, txs: [] };
    const w = await inject({ method: "POST", url: "/blocks", payload: wrongHash });
    expect(w.json().error.code).toBe("INVALID_HASH");
    expect((await client.request(ChainSubjects.tipGet, {})).hash).toBe(tip.hash);
  });

  it("takes codec bytes on the write subjects: bytes that do not decode are DECODE_FAILED, a JSON body is refused", async () => {
    const tip = await client.request(ChainSubjects.tipGet, {});
    const pending = MempoolPage.parse((await inject({ url: "/mempool" })).json()).count;
    const garbage = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    const decodeFailed = { code: "DECODE_FAILED", status: 400 };
    expect(await natsError(client.request(ChainSubjects.txSubmit, { tx: garbage }))).toEqual(decodeFailed);
    expect(
      await natsError(client.request(ChainSubjects.blockSubmit, { block: garbage, source: "peer" })),
    ).toEqual(decodeFailed);
    // A valid tx with its signature's length written in 3 bytes instead of 2: the same value, not
    // its canonical encoding, so not bytes the chain may store, hash or relay as they are.
    const tx = encodeSignedTransaction(transfer(carol, bob, 1n, 0, 10n));
    expect(Array.from(tx.subarray(tx.length - 66, tx.length - 64))).toEqual([0x58, 64]);
    const longForm = concatBytes(
      tx.subarray(0, tx.length - 66),
      new Uint8Array([0x59, 0, 64]),
      tx.subarray(-64),
    );
    expect(await natsError(client.request(ChainSubjects.txSubmit, { tx: longForm }))).toEqual(decodeFailed);
    // A block framing that tx: refused as a whole, the same way.
    const { header } = await client.request(ChainSubjects.templateGet, { miner: minerA.hex });
    const withLongTx = encodeBlockFromFrames(headerFromJson(header), [longForm]);
    expect(
      await natsError(client.request(ChainSubjects.blockSubmit, { block: withLongTx, source: "peer" })),
    ).toEqual(decodeFailed);
    // The JSON these subjects took before: refused with a typed error, nothing admitted.
    const asJson = [
      [ChainSubjects.txSubmit.subject, { tx: signedTransactionToJson(transfer(carol, bob, 1n, 0, 10n)) }],
      [ChainSubjects.blockSubmit.subject, { block: { header: tip, txs: [] }, source: "peer" }],
    ] as const;
    for (const [subject, body] of asJson) {
      const msg = await client.nc.request(subject, new TextEncoder().encode(JSON.stringify(body)), {
        timeout: 5_000,
      });
      expect(msg.headers?.get("Nats-Service-Error-Code"), subject).toBe("400");
      expect(ErrorBody.parse(JSON.parse(new TextDecoder().decode(msg.data))).error.code).toBe("BAD_REQUEST");
    }
    expect(MempoolPage.parse((await inject({ url: "/mempool" })).json()).count).toBe(pending);
    expect((await client.request(ChainSubjects.tipGet, {})).hash).toBe(tip.hash);
  });

  it("answers garbage and schema-breaking payloads on every subject with a typed error", async () => {
    const subjects = [
      ...Object.values(ChainSubjects).filter((d) => d.kind === "endpoint"),
      ...Object.values(ChainReadSubjects),
    ];
    for (const def of subjects) {
      const msg = await client.nc.request(def.subject, new TextEncoder().encode("\u0000garbage"), {
        timeout: 5_000,
      });
      expect(msg.headers?.get("Nats-Service-Error-Code"), def.subject).toBe("400");
      expect(ErrorBody.parse(JSON.parse(new TextDecoder().decode(msg.data))).error.code).toBe("BAD_REQUEST");
      // Schema-breaking in the subject's own encoding (block.get takes and answers CBOR).
      const wrongShape =
        def.encoding === "cbor" ? encodeCanonical({ x: [1, 2] }) : new TextEncoder().encode('{"x":[1,2]}');
      const bad = await client.nc.request(def.subject, wrongShape, { timeout: 5_000 });
      expect(bad.headers?.get("Nats-Service-Error-Code"), def.subject).toBe("400");
      expect(JSON.parse(new TextDecoder().decode(bad.data)).error.code).toBe("VALIDATION_FAILED");
    }
    expect((await inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("refuses a 10 MB body with 413 before parsing it", async () => {
    const big = `{"header":"${"a".repeat(10 * 1024 * 1024)}"}`;
    for (const url of ["/blocks", "/txs", "/validate"]) {
      const res = await inject({
        method: "POST",
        url,
        payload: big,
        headers: { "content-type": "application/json" },
      });
      expect(res.statusCode, url).toBe(413);
      expect(res.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    }
  });

  it("takes a shield over REST, mines it, and shows the pool on GET /shielded; a tampered proof is 400 BAD_PROOF", async () => {
    const before = (await inject({ url: "/shielded" })).json();
    const sk = randomSpendingKey();
    const { stx } = shield(bob, sk, 700n, 0, new CommitmentTree());
    const json = signedTransactionToJson(stx);
    const tx = json.tx as { proof: string };
    const flipped = `${tx.proof.slice(0, 200)}${tx.proof[200] === "0" ? "1" : "0"}${tx.proof.slice(201)}`;
    const resigned = signTransaction(
      { ...(stx.tx as ShieldTx), proof: new Uint8Array(Buffer.from(flipped, "hex")) },
      genesis.chainId,
      bob.key,
    );
    const bad = await inject({ method: "POST", url: "/txs", payload: signedTransactionToJson(resigned) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("BAD_PROOF");
    const nullifier = async () =>
      (
        await inject({ url: `/shielded/nullifiers/${(json.tx as { nullifiers: string[] }).nullifiers[0]}` })
      ).json();
    expect(await nullifier()).toMatchObject({ spent: false, pendingTx: null });
    const ok = await inject({ method: "POST", url: "/txs", payload: json });
    expect(ok.statusCode).toBe(202);
    expect(await nullifier()).toMatchObject({ spent: false, pendingTx: ok.json().id });
    const template = await client.request(ChainSubjects.templateGet, { miner: minerA.hex });
    expect(template.txs.map((t) => decodeSignedTransaction(t).tx.kind)).toContain("shield");
    const tip = await client.request(ChainSubjects.tipGet, {});
    const block = {
      header: { ...template.header, timestamp: tip.timestamp + 1_000 },
      txs: template.txs.map((t) => signedTransactionToJson(decodeSignedTransaction(t))), // REST takes JSON
    };
    const mined = await inject({ method: "POST", url: "/blocks", payload: block });
    expect(mined.json()).toMatchObject({ status: "connected" });
    expect(await nullifier()).toMatchObject({ spent: true, pendingTx: null });
    expect((await inject({ url: "/shielded/nullifiers/XY" })).statusCode).toBe(400);
    const after = (await inject({ url: "/shielded" })).json();
    expect(BigInt(after.pool) - BigInt(before.pool)).toBe(700n);
    expect(after.notes - before.notes).toBe(2);
    expect(after.nullifiers - before.nullifiers).toBe(2);
    expect(after.roots.length).toBe(before.roots.length + 1);
  }, 600_000);
});

describe("malformed shielded txs over REST: typed 4xx, size limits before parsing", () => {
  /** The pool must hold the fee, or VALUE_IMBALANCE would come before the proof is looked at. */
  async function fundPool(): Promise<void> {
    if (BigInt((await inject({ url: "/shielded" })).json().pool) >= 10n) return;
    const nonce = (await inject({ url: `/accounts/${alice.hex}` })).json().pendingNonce as number;
    const { stx } = shield(alice, randomSpendingKey(), 700n, nonce, new CommitmentTree());
    expect(
      (await inject({ method: "POST", url: "/txs", payload: signedTransactionToJson(stx) })).statusCode,
    ).toBe(202);
    const template = await client.request(ChainSubjects.templateGet, { miner: minerA.hex });
    const tip = await client.request(ChainSubjects.tipGet, {});
    const block = {
      header: { ...template.header, timestamp: tip.timestamp + 1_000 },
      txs: template.txs.map((t) => signedTransactionToJson(decodeSignedTransaction(t))), // REST takes JSON
    };
    expect((await inject({ method: "POST", url: "/blocks", payload: block })).json()).toMatchObject({
      status: "connected",
    });
  }
  /** An unsigned shielded transfer anchored at a chain root, with a proof of junk bytes. */
  async function base(): Promise<Record<string, unknown>> {
    await fundPool();
    const roots = (await inject({ url: "/shielded" })).json().roots as string[];
    const field = (n: number) => `${"00".repeat(31)}${n.toString(16).padStart(2, "0")}`;
    return {
      kind: "shielded",
      fee: "10",
      anchor: roots[roots.length - 1],
      nullifiers: [field(1), field(2)],
      commitments: [field(3), field(4)],
      notes: ["ab".repeat(90), "cd".repeat(90)],
      proof: "5a".repeat(2000),
    };
  }
  const submit = async (tx: Record<string, unknown>) => {
    const res = await inject({ method: "POST", url: "/txs", payload: { tx, signature: "" } });
    return { status: res.statusCode, code: res.json().error?.code as string | undefined };
  };
  const NOT_FIELD = "ff".repeat(32);

  it("refuses each malformed field with its reason (the schema's, the codec's or the rule's) and junk proofs with BAD_PROOF", async () => {
    const tx = await base();
    const cases: [string, Record<string, unknown>, number, string][] = [
      ["a proof of junk bytes", tx, 400, "BAD_PROOF"],
      ["a note one byte short", { ...tx, notes: ["ab".repeat(89), "cd".repeat(90)] }, 400, "DECODE_FAILED"],
      [
        "a note one byte long",
        { ...tx, notes: ["ab".repeat(91), "cd".repeat(90)] },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "a proof one byte over 64 KiB",
        { ...tx, proof: "5a".repeat(64 * 1024 + 1) },
        400,
        "VALIDATION_FAILED",
      ],
      ["an empty proof", { ...tx, proof: "" }, 400, "BAD_PROOF"],
      ["an anchor that is no field element", { ...tx, anchor: NOT_FIELD }, 400, "BAD_FIELD_ELEMENT"],
      [
        "a nullifier that is no field element",
        { ...tx, nullifiers: [NOT_FIELD, "00".repeat(32)] },
        400,
        "BAD_FIELD_ELEMENT",
      ],
      [
        "a commitment that is no field element",
        { ...tx, commitments: ["00".repeat(32), NOT_FIELD] },
        400,
        "BAD_FIELD_ELEMENT",
      ],
      ["a field element of 31 bytes", { ...tx, anchor: "00".repeat(31) }, 400, "VALIDATION_FAILED"],
      ["upper-case hex", { ...tx, proof: "5A".repeat(2000) }, 400, "VALIDATION_FAILED"],
      [
        "one nullifier twice",
        { ...tx, nullifiers: [tx.commitments, tx.commitments].map((c) => (c as string[])[0]) },
        400,
        "NULLIFIER_SPENT",
      ],
      ["a fee past 2^64", { ...tx, fee: "18446744073709551616" }, 400, "VALIDATION_FAILED"],
      [
        "an unshield of 2^64",
        { ...tx, kind: "unshield", to: "b0".repeat(20), amount: "18446744073709551616" },
        400,
        "VALIDATION_FAILED",
      ],
      ["an unknown anchor", { ...tx, anchor: `${"00".repeat(31)}07` }, 400, "UNKNOWN_ROOT"],
    ];
    for (const [what, t, status, code] of cases) expect(await submit(t), what).toEqual({ status, code });
  });

  it("refuses a body over the limit with 413 before parsing it, however it is shaped", async () => {
    const tx = await base();
    const res = await inject({
      method: "POST",
      url: "/txs",
      payload: { tx: { ...tx, proof: "5a".repeat(100 * 1024) }, signature: "" },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
