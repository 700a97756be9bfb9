import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "@p2pnode/sdk";
import { CodedError, type ZkpSpendWitness } from "@p2pnode/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { proveSpend } from "../src/shielded/zkp-proof.js";

/*
 * The wallet's exchange with the node's zkp service (`p2pnode shielded send|unshield`), against a
 * stand-in zkp: the proof comes back from the job; a service that is down, refuses the witness or
 * lost the job is one typed error the CLI prints as a line (it was fetch's TypeError, or a schema
 * error on the error body, both crashes with a stack trace).
 */
const witness = { stand: "in" } as unknown as ZkpSpendWitness;
const PROOF = Buffer.from([1, 2, 3, 4]).toString("base64");
const job = (status: string, extra: object = {}) => ({ jobId: "j1", status, submittedAt: 1, ...extra });

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A zkp whose POST /spends and job polls answer `replies` in order (status, body). */
async function zkp(replies: [number, unknown][]): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    const [status, body] = replies.shift() ?? [500, { error: { code: "INTERNAL", message: "no more" } }];
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

describe("proveSpend (the wallet's zkp exchange)", () => {
  it("posts the witness, follows the job and returns the proof's bytes", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const z = await zkp([
      [202, job("queued")],
      [200, job("running", { progress: { phase: "fri", done: 3, total: 7 } })],
      [200, job("done", { spendProof: { proof: PROOF, proofBytes: 4, proveMs: 12 } })],
    ]);
    expect([...(await proveSpend(z.url, witness))]).toEqual([1, 2, 3, 4]);
    expect(z.seen).toEqual(["POST /spends", "GET /proofs/jobs/j1", "GET /proofs/jobs/j1"]);
    const drawn = stderr.mock.calls.map((c) => String(c[0])).join("");
    expect(drawn).toContain("proving: 3/7 fri");
    expect(drawn).toContain("proved in 12 ms (4 bytes)");
  });

  it("a zkp service that does not answer is UPSTREAM_UNAVAILABLE naming the refused connection", async () => {
    const z = await zkp([]);
    const url = z.url;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const err = await proveSpend(url, witness).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
    expect((err as Error).message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/spends: no answer \(connect ECONNREFUSED/,
    );
  });

  it("passes on the service's refusal of the witness with its code", async () => {
    const z = await zkp([
      [400, { error: { code: "VALIDATION_FAILED", message: "witness fails its schema" } }],
    ]);
    await expect(proveSpend(z.url, witness)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      status: 400,
      message: "witness fails its schema",
    });
  });

  it("a job the service no longer knows is its NOT_FOUND, not a schema error", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const z = await zkp([
      [202, job("queued")],
      [404, { error: { code: "NOT_FOUND", message: "no job j1 (finished jobs are kept for a while only)" } }],
    ]);
    await expect(proveSpend(z.url, witness)).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("a failed proof is a coded error with the prover's reason", async () => {
    const z = await zkp([[202, job("failed", { error: { code: "PROOF_FAILED", message: "constraint 3" } })]]);
    const err = await proveSpend(z.url, witness).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", message: "zkp: proving failed: constraint 3" });
  });
});
