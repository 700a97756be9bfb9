import { serviceRuntimeSuite } from "@p2pnode/kit/testing";
import { CodedError, ZkpJob, ZkpSubjects, ZkpVerifyReply } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { createZkpService } from "../src/api.js";

// The shared runtime contract (/info over NATS identity, /ready incl. the prover pool, OpenAPI),
// on the same instance the zkp tests below use.
const suite = serviceRuntimeSuite(
  createZkpService({ workers: 1, maxQueue: 4, maxTraceRows: 2 ** 12, syncMaxRows: 2 ** 10 }),
  "full",
);
const svc = {
  get ctx() {
    return suite.svc().ctx;
  },
  get url() {
    return suite.svc().url;
  },
};
const node = {
  get supervisorBus() {
    return suite.node().supervisorBus;
  },
};

const inject = (method: "GET" | "POST", url: string, payload?: unknown) =>
  svc.ctx.app.inject({ method, url, ...(payload !== undefined && { payload: payload as object }) });

describe("zkp REST", () => {
  it("documents its routes in OpenAPI", async () => {
    const doc = (await (await fetch(`${svc.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/proofs", "/proofs/verify", "/proofs/jobs/{jobId}"]),
    );
  });

  it("proves a hash chain in a worker and verifies it; a wrong digest is rejected", async () => {
    const res = await inject("POST", "/proofs", {
      air: "rescue-chain",
      publicInputs: { hashes: 7 },
      privateInputs: { preimage: [1, 2, 3, 4] },
    });
    expect(res.statusCode).toBe(200);
    const job = ZkpJob.parse(res.json());
    expect(job.status).toBe("done");
    const result = job.result!;
    expect(result.security.conjecturedBits).toBeGreaterThanOrEqual(96);
    expect(result.statement.air).toBe("rescue-chain");
    expect(JSON.stringify(result.statement)).not.toContain("preimage");

    const ok = await inject("POST", "/proofs/verify", { ...result.statement, proof: result.proof });
    expect(ZkpVerifyReply.parse(ok.json()).valid).toBe(true);

    const st = result.statement;
    if (st.air !== "rescue-chain") throw new TypeError("unexpected statement");
    const digest = [...st.publicInputs.digest];
    digest[0] = (digest[0]! + 1) % 2_130_706_433;
    const bad = await inject("POST", "/proofs/verify", {
      air: "rescue-chain",
      publicInputs: { hashes: 7, digest },
      proof: result.proof,
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ valid: false, code: "PROOF_INVALID" });

    const raw = Buffer.from(result.proof, "base64");
    raw[raw.length - 5]! ^= 0x10;
    const flipped = await inject("POST", "/proofs/verify", { ...st, proof: raw.toString("base64") });
    expect(flipped.json()).toMatchObject({ valid: false });
    const cut = await inject("POST", "/proofs/verify", {
      ...st,
      proof: raw.subarray(0, 100).toString("base64"),
    });
    expect(cut.json()).toMatchObject({ valid: false, code: "PROOF_MALFORMED" });
    const huge = await inject("POST", "/proofs/verify", {
      air: "rescue-chain",
      publicInputs: { hashes: 2 ** 19 - 1, digest },
      proof: result.proof,
    });
    expect(huge.json()).toMatchObject({ valid: false, code: "AIR_MISMATCH" });
  });

  it("answers malformed requests with typed 4xx", async () => {
    const cases: [string, unknown][] = [
      ["/proofs", { air: "rescue-chain", publicInputs: { hashes: 3 } }],
      ["/proofs", { air: "fibonacci", publicInputs: { traceLength: 100 } }],
      ["/proofs", { air: "sha1", publicInputs: {} }],
      [
        "/proofs",
        { air: "rescue-chain", publicInputs: { hashes: 3 }, privateInputs: { preimage: [1, 2, 3, 2 ** 31] } },
      ],
      ["/proofs", { air: "fibonacci", publicInputs: { traceLength: 64, extra: 1 } }],
      [
        "/proofs/verify",
        { air: "fibonacci", publicInputs: { traceLength: 64, result: 1 }, proof: "not base64!" },
      ],
      ["/proofs/verify", { air: "fibonacci", publicInputs: { traceLength: 64 }, proof: "AAAA" }],
    ];
    for (const [url, body] of cases) {
      const res = await inject("POST", url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
    }
    const notJson = await svc.ctx.app.inject({
      method: "POST",
      url: "/proofs",
      payload: "{",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.statusCode).toBe(400);
    expect((await inject("GET", "/proofs/jobs/nope")).statusCode).toBe(404);
  });

  it("refuses an oversized trace before any work starts", async () => {
    const res = await inject("POST", "/proofs", { air: "fibonacci", publicInputs: { traceLength: 2 ** 20 } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("TRACE_TOO_LARGE");
    const big = await inject("POST", "/proofs", {
      air: "rescue-chain",
      publicInputs: { hashes: 100_000 },
      privateInputs: { preimage: [0, 0, 0, 0] },
    });
    expect(big.statusCode).toBe(413);
  });

  it("gives large or wait=false requests a job id to poll", async () => {
    const res = await inject("POST", "/proofs", { air: "fibonacci", publicInputs: { traceLength: 2048 } });
    expect(res.statusCode).toBe(202);
    const { jobId } = ZkpJob.parse(res.json());
    let job = ZkpJob.parse((await inject("GET", `/proofs/jobs/${jobId}`)).json());
    // Polled until it finishes, however long a loaded machine takes (the test's hang guard bounds it).
    while (job.status === "queued" || job.status === "running") {
      await new Promise((r) => setTimeout(r, 50));
      job = ZkpJob.parse((await inject("GET", `/proofs/jobs/${jobId}`)).json());
    }
    expect(job.status).toBe("done");
    expect(job.result!.traceRows).toBe(2048);
  });
});

describe("zkp over NATS", () => {
  it("creates, verifies and reports jobs; malformed payloads get typed errors", async () => {
    const bus = node.supervisorBus;
    const job = await bus.request(
      ZkpSubjects.proofCreate,
      { air: "fibonacci", publicInputs: { traceLength: 64 } },
      20_000,
    );
    expect(job.status).toBe("done");
    const again = await bus.request(ZkpSubjects.jobGet, { jobId: job.jobId });
    expect(again.result?.proof).toBe(job.result?.proof);
    const verdict = await bus.request(ZkpSubjects.proofVerify, {
      ...job.result!.statement,
      proof: job.result!.proof,
    });
    expect(verdict.valid).toBe(true);

    const err = await bus.request(ZkpSubjects.jobGet, { jobId: "missing" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).code).toBe("NOT_FOUND");

    const raw = await bus.nc.request("zkp.v1.proof.create", new TextEncoder().encode('{"air":"fibonacci"}'));
    expect(raw.headers?.get("Nats-Service-Error-Code")).toBe("400");
    const big = await bus
      .request(ZkpSubjects.proofCreate, { air: "fibonacci", publicInputs: { traceLength: 2 ** 16 } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((big as CodedError).code).toBe("TRACE_TOO_LARGE");
  });
});
