import {
  BUS_SYNC_ANSWER_BYTES,
  DS_MESSAGE_CODES,
  dsMaxBodyBytes,
  encodeBlock,
  encodeDsMessage,
  HEADER_VERSION,
  itemsWithinBudget,
  toHex,
} from "@p2pnode/codec";
import { signingKeyFromSeed } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { CodedError, ConsensusSubjects, type ConsensusVerdict, type RejectReason } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

/*
 * The gateway's side of a dolev-strong network, over real sockets and a real nats-server: sizes
 * are checked against the validator count before the chain parses anything, only what the chain
 * accepted is flooded on, and refusals only a faulty sender earns cost it score (a forged
 * message, a block without a valid certificate) — the chain's verdicts are scripted here; the
 * chain's own checks are tested in services/chain.
 */

const validators = [1, 2, 3, 4].map((i) => ({
  publicKey: toHex(signingKeyFromSeed(new Uint8Array(32).fill(i)).publicKey),
}));

let a: GatewayNode;
const submitted: string[] = [];
let verdict: ConsensusVerdict = { accepted: true, fault: false };

beforeAll(async () => {
  a = await startGatewayNode({
    genesis: {
      consensus: {
        kind: "dolev-strong",
        f: 1,
        roundMs: 100,
        slotMs: 300,
        targetBlockTimeMs: 300,
        initialTarget: "f".repeat(64),
        retargetWindow: 10,
        blockReward: "5000000000",
      },
      validators,
    },
  });
  await a.chain.bus.serve(ConsensusSubjects.messageSubmit, (req) => {
    submitted.push(toHex(req.message));
    return verdict;
  });
  await a.chain.bus.serve(ConsensusSubjects.finalSubmit, () => {
    throw new CodedError<RejectReason>(
      "NO_CERTIFICATE",
      "a dolev-strong network takes a block only with its certificate",
    );
  });
  // The chain's final.get, scripted: final blocks at heights 1..9 (their bytes are opaque here),
  // one an answer below height 5, then cut by bytes to the bus as the chain cuts them (`next`).
  await a.chain.bus.serve(ConsensusSubjects.finalGet, (req) => {
    finalGets.push(req.fromHeight);
    const want = req.fromHeight < 5 ? 1 : req.max;
    const items = Array.from({ length: Math.max(0, Math.min(want, 10 - req.fromHeight)) }, (_, i) =>
      finalItem(req.fromHeight + i),
    );
    const n = itemsWithinBudget(
      items.map((it) => it.block.length + it.certificate.length),
      BUS_SYNC_ANSWER_BYTES,
    );
    const next = req.fromHeight + n;
    return { items: items.slice(0, n), next: next <= 9 && n < req.max ? next : null };
  });
});
afterAll(() => a?.stop());

const finalGets: number[] = [];
/** Heights 1..4: small; 5..9: 1.5 MiB each, so a peer's answer holds two of them. */
const finalItem = (height: number) => ({
  block: new Uint8Array(height < 5 ? 1_000 : 1.5 * 1024 * 1024).fill(height),
  certificate: new Uint8Array(100).fill(height),
});

/** A consensus message of `kind` with a body of `bytes` bytes (content is the chain's business). */
const message = (kind: keyof typeof DS_MESSAGE_CODES, bytes: number) => {
  const m = new Uint8Array(1 + bytes).fill(7);
  m[0] = DS_MESSAGE_CODES[kind];
  return m;
};
const score = (peer: RawPeer) => a.gateway.scores.score(peer.nodeIdHex);

describe("consensus relay", () => {
  it("floods a message the chain accepted to the other peers, once, and not back to its sender", async () => {
    const sender = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.40.0.1" });
    const other = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.40.0.2" });
    verdict = { accepted: true, fault: false };
    const m = message("commit", 100);
    sender.send({ type: "consensus", message: m });
    sender.send({ type: "consensus", message: m });
    await eventually(
      () => other.received.filter((x) => x.type === "consensus").length,
      (n) => n === 1,
    );
    expect(submitted.filter((s) => s === toHex(m))).toHaveLength(1);
    expect(sender.received.some((x) => x.type === "consensus")).toBe(false);
    sender.ws.close();
    other.ws.close();
  });

  it("penalises a forged message (a CONSENSUS_FAULTS reason) and floods it nowhere", async () => {
    const sender = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.41.0.1" });
    const other = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.41.0.2" });
    verdict = { accepted: false, reason: "BAD_SIGNATURE", message: "forged", fault: true };
    sender.send({ type: "consensus", message: message("relay", 300) });
    await eventually(
      () => a.gateway.scores.events(sender.nodeIdHex),
      (e) => e.length > 0,
    );
    expect(a.gateway.scores.events(sender.nodeIdHex)[0]).toMatchObject({ kind: "INVALID_CONSENSUS" });
    expect(score(sender)).toBeLessThan(0);
    expect(other.received.some((x) => x.type === "consensus")).toBe(false);
    // Late is not a fault: dropped, no score.
    const late = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.41.0.3" });
    verdict = { accepted: false, reason: "LATE", message: "slot decided", fault: false };
    late.send({ type: "consensus", message: message("relay", 301) });
    await eventually(
      () => submitted.length,
      (n) => n >= 2,
    );
    await eventually(() => submitted.some((s) => s.length === 2 * 302), Boolean);
    expect(score(late)).toBe(0);
    for (const p of [sender, other, late]) p.ws.close();
  });

  it("refuses an oversize message for this validator count before the chain sees it, and disconnects", async () => {
    const sender = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.42.0.1" });
    const before = submitted.length;
    // Under the P2P limit of the largest network, over this network's commit vote limit.
    sender.send({ type: "consensus", message: message("commit", dsMaxBodyBytes("commit", 4) + 1) });
    await eventually(
      () => sender.closeCode,
      (c) => c !== undefined,
    );
    expect(sender.closeReason).toBe("MALFORMED_MESSAGE");
    expect(a.gateway.scores.events(sender.nodeIdHex)[0]?.kind).toBe("INVALID_CONSENSUS");
    // An unknown kind byte is refused the same way (penalised, never parsed by the chain).
    const other = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.42.0.2" });
    other.send({ type: "consensus", message: new Uint8Array([0x7f, 1, 2, 3]) });
    await eventually(
      () => a.gateway.scores.events(other.nodeIdHex),
      (e) => e.length > 0,
    );
    expect(submitted.length).toBe(before);
    other.ws.close();
  });

  it("bans the equivocating validator, when connected, once the chain verified the evidence", async () => {
    // Validator 1's node (its identity key is its validator key) and a peer that reports it.
    const leader = await RawPeer.connect(a.p2pPort, a.network, {
      localAddress: "127.44.0.1",
      seed: new Uint8Array(32).fill(2),
    });
    const reporter = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.44.0.2" });
    const evidence = (slot: number) =>
      encodeDsMessage({
        kind: "evidence",
        slot,
        leader: 1,
        first: { blockHash: new Uint8Array(32).fill(1), signature: new Uint8Array(64).fill(1) },
        second: { blockHash: new Uint8Array(32).fill(2), signature: new Uint8Array(64).fill(2) },
      });
    // Refused evidence (forged) costs the reporter, never the validator it names.
    verdict = { accepted: false, reason: "BAD_SIGNATURE", message: "forged", fault: true };
    reporter.send({ type: "consensus", message: evidence(40) });
    await eventually(
      () => a.gateway.scores.events(reporter.nodeIdHex),
      (e) => e.length > 0,
    );
    expect(a.gateway.scores.events(leader.nodeIdHex)).toEqual([]);
    verdict = { accepted: true, fault: false };
    reporter.send({ type: "consensus", message: evidence(41) });
    await eventually(
      () => leader.closeCode,
      (c) => c !== undefined,
    );
    expect(a.gateway.scores.events(leader.nodeIdHex)[0]).toMatchObject({ kind: "EQUIVOCATION" });
    expect(score(leader)).toBeLessThan(-99); // −100, decaying since
    expect(a.gateway.scores.events(reporter.nodeIdHex).map((e) => e.kind)).toEqual(["INVALID_CONSENSUS"]);
    reporter.ws.close();
  });

  it("answers a get-final from the chain's final.get answers, asking again from `next` until the peer's answer is full", async () => {
    const asker = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.45.0.1" });
    const answer = async (id: number, fromHeight: number) => {
      asker.send({ type: "getFinal", id, fromHeight, max: 64 });
      const m = await eventually(
        () => asker.received.find((x) => x.type === "finalBlocks" && x.id === id),
        Boolean,
      );
      if (m?.type !== "finalBlocks") throw new Error("no finalBlocks");
      return m.blocks.map((b, i) => {
        expect(m.certificates[i]![0]).toBe(b[0]);
        return b[0]!; // the height each block was filled with
      });
    };
    // Heights 1..4 come one per chain answer: all of them and the next in one peer answer.
    finalGets.length = 0;
    expect(await answer(1, 1)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(finalGets).toEqual([1, 2, 3, 4, 5]);
    // Blocks of 1.5 MiB: two fill a peer's answer (SYNC_ANSWER_BYTES); the peer asks again.
    const got = [...(await answer(2, 5))];
    while (got.at(-1)! < 9) got.push(...(await answer(3 + got.length, got.at(-1)! + 1)));
    expect(got).toEqual([5, 6, 7, 8, 9]);
    expect(score(asker)).toBe(0);
    asker.ws.close();
  });

  it("takes the final.fetch request as CBOR: the JSON body it took before is refused with a typed 400", async () => {
    const body = { peer: "ab".repeat(32), fromHeight: 1, max: 2 };
    const msg = await a.chain.bus.nc.request(
      ConsensusSubjects.finalFetch.subject,
      new TextEncoder().encode(JSON.stringify(body)),
      { timeout: 5_000 },
    );
    expect(msg.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect(JSON.parse(new TextDecoder().decode(msg.data)).error.code).toBe("BAD_REQUEST");
  });

  it("bans a peer sending a block without a valid certificate", async () => {
    const sender = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.43.0.1" });
    const block = encodeBlock({
      header: {
        version: HEADER_VERSION,
        height: 1,
        prevHash: new Uint8Array(32),
        txRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32),
        timestamp: Date.now(),
        target: new Uint8Array(32).fill(0xff),
        miner: new Uint8Array(20),
        nonce: 0n,
      },
      txs: [],
    });
    sender.send({ type: "finalBlock", block, certificate: new Uint8Array(0) });
    await eventually(
      () => sender.closeCode,
      (c) => c !== undefined,
    );
    expect(a.gateway.scores.events(sender.nodeIdHex)[0]).toMatchObject({ kind: "INVALID_BLOCK" });
    expect(a.gateway.scores.events(sender.nodeIdHex)[0]?.detail).toContain("NO_CERTIFICATE");
    // Garbage in place of a block costs the same.
    const other = await RawPeer.connect(a.p2pPort, a.network, { localAddress: "127.43.0.2" });
    other.send({ type: "finalBlock", block: new Uint8Array(400).fill(1), certificate: new Uint8Array(0) });
    await eventually(
      () => other.closeCode,
      (c) => c !== undefined,
    );
    expect(a.gateway.scores.events(other.nodeIdHex)[0]?.kind).toBe("INVALID_BLOCK");
  });
});
