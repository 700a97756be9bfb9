import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeDsMessage, signedTransactionToJson, toHex } from "@p2pnode/codec";
import { loadOrCreateIdentity, signRaw, voteSigningBytes } from "@p2pnode/crypto";
import type { RunningService } from "@p2pnode/kit";
import {
  eventually,
  startTestNode,
  startTestService,
  type TestNode,
  testGenesis,
} from "@p2pnode/kit/testing";
import {
  ChainReadSubjects,
  type CodedError,
  type ConsensusSlots,
  ConsensusSubjects,
  ErrorBody,
} from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import { alice, bob, transfer } from "./helpers.js";

/*
 * The chain service as a validator on a real nats-server: a one-validator network (f = 0) makes
 * final blocks with certificates on its own, so the wiring — real clock, identity key, template
 * from the mempool, certificate stored with the block, REST and NATS edges — is tested without a
 * gateway. Multi-validator networks run in packages/devnet/test/consensus.e2e.test.ts.
 */

const ADMIN = { authorization: "Bearer test-admin-token-0123456789" };
let node: TestNode;
let svc: RunningService;
let publicKey: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "p2pnode-validator-"));
  const identity = loadOrCreateIdentity(dataDir);
  publicKey = toHex(identity.publicKey);
  const base = testGenesis();
  const genesis = {
    ...base,
    allocations: [{ address: alice.hex, balance: "1000000" }],
    consensus: {
      ...base.consensus,
      kind: "dolev-strong" as const,
      f: 0,
      roundMs: 100,
      slotMs: 200,
      // A target no unmined header meets: blocks here are sealed by certificates, not by work.
      initialTarget: `000000${"f".repeat(58)}`,
    },
    validators: [{ publicKey }],
  };
  node = await startTestNode("validator", { P2PNODE_DATA_DIR: dataDir }, { genesis });
  svc = await startTestService(chainService, node);
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
});

const get = async <T>(url: string) => (await svc.ctx.app.inject({ url })).json() as T;
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return { code: (err as CodedError).code, status: (err as CodedError).status };
  }
  return { code: "OK", status: 200 };
};

describe("chain service as a validator", () => {
  it("makes final blocks with certificates signed by its identity key", async () => {
    await eventually(
      () => get<{ height: number }>("/tip"),
      (t) => t.height >= 3,
    );
    const b = await get<{ final: boolean; certificate: { signers: number[]; slot: number } }>("/blocks/2");
    expect(b.final).toBe(true);
    expect(b.certificate.signers).toEqual([0]);
    const status = await get<{ kind: string; self: number; validators: { publicKey: string }[] }>(
      "/consensus",
    );
    expect(status).toMatchObject({ kind: "dolev-strong", self: 0 });
    expect(status.validators[0]!.publicKey).toBe(publicKey);
    const genesis = await get<{ final: boolean; certificate: unknown }>("/blocks/0");
    expect(genesis).toMatchObject({ final: true, certificate: null });
  });

  it("refuses a block without a certificate and consensus messages it cannot verify", async () => {
    const tip = await get<{ height: number; hash: string }>("/tip");
    const res = await svc.ctx.app.inject({
      method: "POST",
      url: "/blocks",
      payload: {
        header: {
          version: 1,
          height: tip.height + 1,
          prevHash: tip.hash,
          txRoot: "00".repeat(32),
          stateRoot: "00".repeat(32),
          timestamp: Date.now(),
          target: "ff".repeat(32),
          miner: "00".repeat(20),
          nonce: "0",
        },
        txs: [],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("NO_CERTIFICATE");

    const garbage = await node.supervisorBus.request(ConsensusSubjects.messageSubmit, {
      message: new Uint8Array([0x02, 0xff, 0xff]),
      peer: "p",
    });
    expect(garbage).toMatchObject({ accepted: false, fault: true });
    // A commit vote signed for another chain, for the slot before the current one (already final
    // here, where the machine no longer checks votes): BAD_SIGNATURE, a fault of the sender.
    const status = await get<{ slot: number }>("/consensus");
    const slot = status.slot - 1;
    const identity = loadOrCreateIdentity(node.dataDir);
    const hash = new Uint8Array(32).fill(9);
    const vote = encodeDsMessage({
      kind: "commit",
      slot,
      blockHash: hash,
      signer: 0,
      signature: signRaw(identity, voteSigningBytes("commit", "another-chain", slot, hash)),
    });
    const forged = await node.supervisorBus.request(ConsensusSubjects.messageSubmit, {
      message: vote,
      peer: "p",
    });
    expect(forged).toMatchObject({ accepted: false, reason: "BAD_SIGNATURE", fault: true });
  });

  it("carries blocks, certificates and consensus messages as codec bytes; bad bytes and JSON bodies get typed refusals", async () => {
    const bus = node.supervisorBus;
    const r = await bus.request(ConsensusSubjects.finalGet, { fromHeight: 1, max: 2 }, 5_000);
    expect(r.items).toHaveLength(2);
    expect(r.next).toBeNull(); // two small blocks: not cut
    for (const [i, item] of r.items.entries()) {
      const b = await get<{ hash: string; certificate: { hex: string } }>(`/blocks/${i + 1}`);
      const stored = await bus.request(ChainReadSubjects.blockGet, { hash: b.hash }, 5_000);
      expect(Buffer.from(item.block).equals(stored.block)).toBe(true);
      expect(toHex(item.certificate)).toBe(b.certificate.hex);
    }
    const { certificate } = r.items[0]!;
    const garbage = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    expect(
      await refusal(bus.request(ConsensusSubjects.finalSubmit, { block: garbage, certificate, peer: "p" })),
    ).toEqual({ code: "DECODE_FAILED", status: 400 });
    // The hex-in-JSON bodies these subjects took before: refused with a typed error.
    const asJson = [
      [ConsensusSubjects.messageSubmit.subject, { message: "02ffff", peer: "p" }],
      [
        ConsensusSubjects.finalSubmit.subject,
        { block: toHex(r.items[1]!.block), certificate: toHex(certificate), peer: "p" },
      ],
      [ConsensusSubjects.finalGet.subject, { fromHeight: 1, max: 2 }],
    ] as const;
    for (const [subject, body] of asJson) {
      const msg = await bus.nc.request(subject, new TextEncoder().encode(JSON.stringify(body)), {
        timeout: 5_000,
      });
      expect(msg.headers?.get("Nats-Service-Error-Code"), subject).toBe("400");
      expect(ErrorBody.parse(JSON.parse(new TextDecoder().decode(msg.data))).error.code, subject).toBe(
        "BAD_REQUEST",
      );
    }
  });

  it("exports the consensus metrics the README lists, counting what happened above", async () => {
    const text = (await svc.ctx.app.inject({ url: "/metrics" })).body;
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^consensus_slots_total\{outcome="decided"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(3);
    expect(value(/^consensus_rounds_used_count\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(3);
    expect(value(/^consensus_time_to_finality_seconds_count\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(3);
    expect(value(/^consensus_final_blocks_total\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(3);
    expect(value(/^consensus_signatures_verified_total\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(0);
    // The vote signed for another chain, refused above.
    expect(
      value(/^consensus_messages_rejected_total\{reason="BAD_SIGNATURE"[^}]*\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^consensus_evidence_total\{[^}]*\} 0$/m);
  });

  it("takes a transfer from the mempool into a final block", async () => {
    const stx = transfer(alice, bob, 1_234n, 0, 10n, node.network.chainId);
    const sent = await svc.ctx.app.inject({
      method: "POST",
      url: "/txs",
      payload: signedTransactionToJson(stx),
    });
    expect(sent.statusCode).toBe(202);
    const { id } = sent.json() as { id: string };
    const mined = await eventually(
      () => get<{ status: string; block?: { hash: string } }>(`/txs/${id}`),
      (s) => s.status === "mined",
    );
    const b = await get<{ final: boolean; certificate: { signers: number[] } }>(
      `/blocks/${mined.block!.hash}`,
    );
    expect(b.final).toBe(true);
    expect((await get<{ balance: string }>(`/accounts/${bob.hex}`)).balance).toBe("1234");
  });

  it("shows its recent slots: its own proposal in round 1, its commit vote, the final block and certificate (REST and NATS)", async () => {
    const r = await eventually(
      () => get<ConsensusSlots>("/consensus/slots?limit=8"),
      (v) => v.slots.filter((s) => s.outcome === "final").length >= 2,
    );
    expect(r).toMatchObject({ validators: 1, f: 0 });
    const final = r.slots.find((s) => s.outcome === "final" && s.signed.length === 2)!;
    expect(final.signed).toEqual([
      { validator: 0, round: 1, kind: "relay", value: 0 },
      { validator: 0, round: 2, kind: "commit", value: 0 },
    ]);
    expect(final.values).toEqual([final.block!.hash]);
    expect(final.block!.signers).toEqual([0]);
    const b = await get<{ certificate: { slot: number } }>(`/blocks/${final.block!.hash}`);
    expect(b.certificate.slot).toBe(final.slot);
    const nats = await svc.ctx.bus.request(ConsensusSubjects.slotsGet, { limit: 2 }, 5_000);
    expect(nats.slots).toHaveLength(2);
    expect((await svc.ctx.app.inject({ url: "/consensus/slots?limit=65" })).statusCode).toBe(400);
  });

  it("re-validates the stored chain (POST /validate) against its certificates, not proof of work", async () => {
    const tip = await get<{ height: number }>("/tip");
    const res = await svc.ctx.app.inject({ method: "POST", url: "/validate" });
    expect(res.statusCode).toBe(200);
    const report = res.json() as { ok: boolean; reason: string | null; checkedHeight: number };
    expect(report).toMatchObject({ ok: true, reason: null });
    expect(report.checkedHeight).toBeGreaterThanOrEqual(tip.height);
  });

  it("refuses the fault route outside a devnet", async () => {
    const res = await svc.ctx.app.inject({
      method: "POST",
      url: "/admin/debug/consensus-fault",
      headers: ADMIN,
      payload: { equivocate: true },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("FORBIDDEN");
  });
});
