import { describe, expect, it } from "vitest";
import { DOMAIN_CODE_SETS, SUBJECT_CATALOG } from "../src/catalog.js";
import { ChainSubjects, RejectReason } from "../src/chain-subjects.js";
import { ConsensusSubjects } from "../src/consensus-subjects.js";
import { CodedError, ErrorBody, ErrorCode } from "../src/errors.js";
import { DEFAULT_PORTS, LISTENERS, portsFromBase } from "../src/ports.js";

describe("NATS subject catalog", () => {
  it("declares each subject once, as <service>.v<N>.<noun>.<verb>", () => {
    const subjects = SUBJECT_CATALOG.map((d) => d.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const s of subjects) expect(s).toMatch(/^[a-z]+\.v[0-9]+\.[a-z-]+\.[a-z-]+$/);
    expect(subjects).toContain("node.v1.identity.get");
    expect(subjects).toContain("node.v1.network.get");
    expect(subjects).toContain("chain.v1.tx.submit");
  });

  it("has endpoints served by the service their subject names", () => {
    for (const d of SUBJECT_CATALOG) {
      if (d.kind === "endpoint") expect(d.subject.split(".")[0]).toBe(d.service);
    }
  });

  it("lists as an endpoint's errors only domain codes of a known set, each once", () => {
    const known = new Set(Object.values(DOMAIN_CODE_SETS).flat());
    const shared = new Set<string>(ErrorCode.options);
    for (const d of SUBJECT_CATALOG) {
      if (d.kind !== "endpoint" || d.errors === undefined) continue;
      expect(d.errors.length, d.subject).toBeGreaterThan(0);
      expect(new Set(d.errors).size, d.subject).toBe(d.errors.length);
      for (const code of d.errors) {
        expect(known.has(code), `${d.subject}: ${code}`).toBe(true);
        expect(shared.has(code), `${d.subject}: ${code} is shared, not listed`).toBe(false);
      }
    }
  });

  it("has the chain's write endpoints answer with RejectReason", () => {
    for (const d of [ChainSubjects.txSubmit, ChainSubjects.blockSubmit, ConsensusSubjects.finalSubmit]) {
      expect(d.errors, d.subject).toEqual(RejectReason.options);
    }
  });
});

describe("error shape", () => {
  it("serialises a CodedError to the REST/NATS error body", () => {
    const body = new CodedError("NOT_FOUND", "no block 7", { height: 7 }).toBody();
    expect(ErrorBody.parse(body)).toEqual({
      error: { code: "NOT_FOUND", message: "no block 7", details: { height: 7 } },
    });
    expect(new CodedError("NOT_FOUND", "x").status).toBe(404);
    expect(new CodedError<"SOME_DOMAIN_CODE">("SOME_DOMAIN_CODE", "x").status).toBe(400);
    expect(ErrorBody.safeParse({ error: { code: "lower", message: "x" } }).success).toBe(false);
  });
});

describe("ports", () => {
  it("gives every listener a distinct default port and a distinct variable", () => {
    const ports = Object.values(DEFAULT_PORTS);
    expect(new Set(ports).size).toBe(ports.length);
    const envs = Object.values(LISTENERS).map((l) => l.env);
    expect(new Set(envs).size).toBe(envs.length);
  });

  it("keeps the container layout above a port base, NATS at +900", () => {
    const p = portsFromBase(21000);
    expect(p).toMatchObject({
      gatewayApi: 21100,
      p2p: 21101,
      chainApi: 21200,
      dhtUdp: 21401,
      computeApi: 21600,
      nats: 21900,
    });
    expect(Math.max(...Object.values(p)) - 21000).toBeLessThan(1000);
  });
});

describe("U64String", () => {
  it.each([
    ["0", true],
    ["18446744073709551615", true],
    ["18446744073709551616", false],
    ["99999999999999999999", false],
    ["01", false],
    ["-1", false],
  ])("%s → %s", async (value, ok) => {
    const { U64String } = await import("../src/chain.js");
    expect(U64String.safeParse(value).success).toBe(ok);
  });

  it("says one thing of a bad value: not a decimal, or too large, never both", async () => {
    const { U64String } = await import("../src/chain.js");
    const messages = (value: string) => {
      const r = U64String.safeParse(value);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    // 25 letters compare above 2^64's digits: the size check ran on them and added its message.
    expect(messages("x".repeat(25))).toEqual(["a non-negative integer as a decimal string"]);
    expect(messages("18446744073709551616")).toEqual(["must be below 2^64"]);
  });

  it("is the rule of a shielded spend witness's values too (ZkpSpendWitness)", async () => {
    const { ZkpSpendWitness } = await import("../src/zkp.js");
    const fee = ZkpSpendWitness.shape.fee;
    expect(fee.safeParse("18446744073709551615").success).toBe(true);
    expect(fee.safeParse("18446744073709551616").error?.issues[0]?.message).toBe("must be below 2^64");
    // The witness's own copy of the rule had no message: zod's "Invalid string: must match pattern".
    expect(fee.safeParse("1.5").error?.issues.map((i) => i.message)).toEqual([
      "a non-negative integer as a decimal string",
    ]);
  });
});
