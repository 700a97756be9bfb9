import { createHash } from "node:crypto";
import { encodeCanonical, P2P_MESSAGE_CODES, type P2pMessage } from "@p2pnode/codec";
import type { Bus } from "@p2pnode/kit";
import { connectTestBus, eventually } from "@p2pnode/kit/testing";
import { ComputeRelaySubjects, type RemoteAttempt, type RemoteJob } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../src/errors.js";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

// The compute relay on a real gateway (real NATS, real sockets): a hand-driven peer plays the
// remote scheduler or worker; the node's compute service is played on the bus by this test.
let a: GatewayNode;
let bus: Bus;
const ran: RemoteJob[] = [];
let release: (() => void) | undefined;

const fn = new TextEncoder().encode("a function's canonical encoding");
const fnHash = createHash("sha256").update(fn).digest();
const score = async (id: string) => (await a.svc.ctx.app.inject({ url: `/peers/${id}/score` })).json();

function job(id: number, over: Partial<Extract<P2pMessage, { type: "computeJob" }>> = {}): P2pMessage {
  return {
    type: "computeJob",
    id,
    functionHash: fnHash,
    fn,
    input: "41",
    seed: new Uint8Array(0),
    memoryBytes: 1 << 24,
    budget: 1_000_000,
    deadlineMs: 1_000,
    proved: "",
    ...over,
  };
}
const resultOf = (p: RawPeer, id: number) =>
  p.received.find((m) => m.type === "computeResult" && m.id === id) as
    | Extract<P2pMessage, { type: "computeResult" }>
    | undefined;

beforeAll(async () => {
  a = await startGatewayNode();
  bus = await connectTestBus(a.node.nats, "compute-stand-in");
  // This node's compute service: one slot; a job with input "hold" waits until released.
  await bus.serve(ComputeRelaySubjects.jobRun, async (req): Promise<RemoteAttempt> => {
    ran.push(req.job);
    if (req.job.input === "hold") await new Promise<void>((r) => (release = r));
    const json = req.job.input === "hold" ? "0" : String(Number(req.job.input) + 1);
    return { kind: "result", ok: true, json, instructions: 20_000, ms: 3 };
  });
  bus.publish(ComputeRelaySubjects.capacityAnnounce, { slots: 1 });
});
afterAll(async () => {
  release?.();
  await bus?.close();
  await a?.stop();
});

describe("compute relay", () => {
  it("advertises capacity, runs an offered job and answers with instructions and time", async () => {
    const p = await RawPeer.connect(a.p2pPort, a.network);
    await eventually(
      () => p.received.find((m) => m.type === "computeCapacity"),
      (m) => m !== undefined && m.type === "computeCapacity" && m.slots === 1,
    );
    p.send(job(1));
    const r = await eventually(() => resultOf(p, 1), Boolean);
    expect(r).toMatchObject({ status: "result", ok: true, json: "42", instructions: 20_000, ms: 3 });
    expect(ran.at(-1)).toMatchObject({ functionHash: fnHash.toString("hex"), input: "41" });
    p.close();
  });

  it("refuses a job beyond its slots with a reason (bounded queue)", async () => {
    const p = await RawPeer.connect(a.p2pPort, a.network);
    p.send(job(1, { input: "hold" }));
    await eventually(
      () => ran.at(-1)?.input,
      (i) => i === "hold",
    );
    p.send(job(2));
    const refused = await eventually(() => resultOf(p, 2), Boolean);
    expect(refused).toMatchObject({ status: "refused", code: "QUEUE_FULL" });
    release?.();
    expect(await eventually(() => resultOf(p, 1), Boolean)).toMatchObject({ status: "result", json: "0" });
    p.close();
  });

  it("refuses and penalises a job whose function bytes do not hash to its hash", async () => {
    const p = await RawPeer.connect(a.p2pPort, a.network);
    const count = ran.length;
    p.send(job(7, { fn: new TextEncoder().encode("something else") }));
    expect(await eventually(() => resultOf(p, 7), Boolean)).toMatchObject({
      status: "failed",
      code: "HASH_MISMATCH",
    });
    expect(ran.length).toBe(count);
    const s = await score(p.nodeIdHex);
    expect(s.events[0]).toMatchObject({ kind: "PROTOCOL_VIOLATION" });
    p.close();
  });

  it("disconnects a peer sending a malformed or oversize compute message, with the reason", async () => {
    const bad = await RawPeer.connect(a.p2pPort, a.network);
    bad.sendPlain(Uint8Array.of(P2P_MESSAGE_CODES.computeJob, ...encodeCanonical({ id: 1 })));
    await eventually(() => bad.closed, Boolean);
    expect(bad.closeCode).toBe(CLOSE_CODES.MALFORMED_MESSAGE);

    const big = await RawPeer.connect(a.p2pPort, a.network);
    const plain = new Uint8Array(1 + 900 * 1024);
    plain[0] = P2P_MESSAGE_CODES.computeResult;
    big.sendPlain(plain);
    await eventually(() => big.closed, Boolean);
    expect(big.closeCode).toBe(CLOSE_CODES.MALFORMED_MESSAGE);
    expect((await score(big.nodeIdHex)).events[0].detail).toMatch(/exceeds/);
  });

  it("offers a job to a peer that advertised capacity and relays its answer; a silent peer times out", async () => {
    const worker = await RawPeer.connect(a.p2pPort, a.network);
    worker.send({ type: "computeCapacity", slots: 2 });
    await eventually(
      () => bus.request(ComputeRelaySubjects.workersList, {}),
      (r) => r.workers.some((w) => w.id === worker.nodeIdHex && w.slots === 2),
    );
    const remote: RemoteJob = {
      functionHash: fnHash.toString("hex"),
      fn: Buffer.from(fn).toString("base64"),
      input: "[1,2]",
      limits: { memoryBytes: 1 << 24, budget: 1_000_000, deadlineMs: 1_000 },
    };
    const answer = bus.request(
      ComputeRelaySubjects.jobOffer,
      { peer: worker.nodeIdHex, job: remote, timeoutMs: 30_000 },
      35_000,
    );
    const offered = await eventually(() => worker.received.find((m) => m.type === "computeJob"), Boolean);
    if (offered?.type !== "computeJob") throw new Error("no computeJob");
    expect(offered.input).toBe("[1,2]");
    worker.send({
      type: "computeResult",
      id: offered.id,
      status: "result",
      ok: true,
      json: "3",
      code: "",
      message: "",
      instructions: 10_000,
      ms: 1,
      proof: new Uint8Array(0),
    });
    expect(await answer).toEqual({ kind: "result", ok: true, json: "3", instructions: 10_000, ms: 1 });

    const silent = await bus.request(
      ComputeRelaySubjects.jobOffer,
      { peer: worker.nodeIdHex, job: remote, timeoutMs: 300 },
      5_000,
    );
    expect(silent).toMatchObject({ kind: "failed", code: "TIMEOUT" });
    worker.close();
    await eventually(
      () => bus.request(ComputeRelaySubjects.workersList, {}),
      (r) => !r.workers.some((w) => w.id === worker.nodeIdHex),
    );
  });

  it("lowers the score of a worker the compute service reports as outvoted", async () => {
    const p = await RawPeer.connect(a.p2pPort, a.network);
    bus.publish(ComputeRelaySubjects.workerPenalise, {
      peer: p.nodeIdHex,
      reason: "outvoted on task t job 3",
    });
    const s = await eventually(
      () => score(p.nodeIdHex),
      (x) => x.events?.some((e: { kind: string }) => e.kind === "WRONG_COMPUTE_RESULT"),
    );
    expect(s.score).toBeLessThan(0);
    p.close();
  });
});
