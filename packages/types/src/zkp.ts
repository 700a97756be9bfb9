import { z } from "zod";
import { U64String } from "./chain.js";
import { endpoint } from "./subjects.js";

/*
 * The zkp service's contract (REST and NATS share these schemas). Proofs travel as base64 of
 * the binary encoding of @p2pnode/stark (proof-codec.ts). Field elements are KoalaBear
 * integers in [0, 2^31 − 2^24].
 */

export const ZKP_FIELD_MODULUS = 2_130_706_433;
/** Largest proof accepted for verification: below NATS's default 1 MiB payload once base64'd. */
export const ZKP_MAX_PROOF_BYTES = 512 * 1024;

export const FieldElement = z
  .number()
  .int()
  .min(0)
  .max(ZKP_FIELD_MODULUS - 1);
const Digest = z.array(FieldElement).length(4);
const PowerOfTwo = z
  .number()
  .int()
  .min(8)
  .max(2 ** 22)
  .refine((n) => (n & (n - 1)) === 0, "must be a power of two");

export const ZkpAirName = z.enum(["fibonacci", "rescue-chain"]);
export type ZkpAirName = z.infer<typeof ZkpAirName>;

/** "default": ~100 conjectured bits; "proven": ≥ 96 bits proven in the unique-decoding regime. */
export const ZkpSecurity = z.enum(["default", "proven"]);
export type ZkpSecurity = z.infer<typeof ZkpSecurity>;

const proveCommon = {
  security: ZkpSecurity.default("default"),
  /** Wait for the proof (REST 200) instead of getting a job id (202); large traces never wait. */
  wait: z.boolean().default(true),
};

export const ZkpProveRequest = z.discriminatedUnion("air", [
  z
    .object({
      air: z.literal("fibonacci"),
      publicInputs: z.object({ traceLength: PowerOfTwo }).strict(),
      ...proveCommon,
    })
    .strict(),
  z
    .object({
      air: z.literal("rescue-chain"),
      publicInputs: z
        .object({
          hashes: z
            .number()
            .int()
            .min(1)
            .max(2 ** 19 - 1),
          /** Make the preimage part of the statement: the proof is then for this x only. */
          publicPreimage: z.boolean().optional(),
        })
        .strict(),
      privateInputs: z.object({ preimage: Digest }).strict(),
      ...proveCommon,
    })
    .strict(),
]);
export type ZkpProveRequest = z.input<typeof ZkpProveRequest>;

/** What a proof proves: the AIR and every public input (the verifier's side of the statement). */
export const ZkpStatement = z.discriminatedUnion("air", [
  z
    .object({
      air: z.literal("fibonacci"),
      publicInputs: z.object({ traceLength: PowerOfTwo, result: FieldElement }).strict(),
    })
    .strict(),
  z
    .object({
      air: z.literal("rescue-chain"),
      publicInputs: z
        .object({
          hashes: z
            .number()
            .int()
            .min(1)
            .max(2 ** 19 - 1),
          digest: Digest,
          /** Present when the preimage is public (`publicPreimage` at proving). */
          preimage: Digest.optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type ZkpStatement = z.infer<typeof ZkpStatement>;

const Base64Proof = z
  .string()
  .min(4)
  .max(Math.ceil(ZKP_MAX_PROOF_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64");

export const ZkpProofResult = z.object({
  statement: ZkpStatement,
  proof: Base64Proof,
  proofBytes: z.number().int(),
  traceRows: z.number().int(),
  security: z.object({ conjecturedBits: z.number(), provenBits: z.number() }),
  proveMs: z.number(),
});
export type ZkpProofResult = z.infer<typeof ZkpProofResult>;

/*
 * A shielded spend's witness, proved for a wallet of this node (REST POST /spends; node-private:
 * it holds the spending key and the notes). Digests of the spend AIR are 8 field elements, keys
 * and randomness 4; values are u64 decimal strings. The proof is zero-knowledge (SPEND_PARAMS).
 */
const Words = (n: number) => z.array(FieldElement).length(n);
const SpendInputJson = z
  .object({
    sk: Words(4),
    value: U64String,
    rho: Words(4),
    r: Words(4),
    path: z
      .object({
        siblings: z.array(Words(8)).length(32),
        position: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1),
      })
      .strict(),
    real: z.boolean(),
  })
  .strict();
const SpendOutputJson = z.object({ pk: Words(8), value: U64String, r: Words(4) }).strict();
export const ZkpSpendWitness = z
  .object({
    inputs: z.tuple([SpendInputJson, SpendInputJson]),
    outputs: z.tuple([SpendOutputJson, SpendOutputJson]),
    root: Words(8),
    publicIn: U64String,
    publicOut: U64String,
    fee: U64String,
    /** The hash of the transaction the proof is bound to (crypto's shieldedTxHash), hex. */
    txHash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type ZkpSpendWitness = z.infer<typeof ZkpSpendWitness>;
export const ZkpSpendRequest = z
  .object({ witness: ZkpSpendWitness, wait: z.boolean().default(false) })
  .strict();
export type ZkpSpendRequest = z.input<typeof ZkpSpendRequest>;

export const ZkpJobStatus = z.enum(["queued", "running", "done", "failed"]);
export const ZkpJob = z.object({
  jobId: z.string(),
  status: ZkpJobStatus,
  submittedAt: z.number().int(),
  finishedAt: z.number().int().optional(),
  /** While running: the prover phases finished so far (witness-check … grinding) of `total`. */
  progress: z.object({ phase: z.string(), done: z.number().int(), total: z.number().int() }).optional(),
  result: ZkpProofResult.optional(),
  /** A spend job's proof (base64 of the encoded ZK proof), set when done. */
  spendProof: z.object({ proof: Base64Proof, proofBytes: z.number().int(), proveMs: z.number() }).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ZkpJob = z.infer<typeof ZkpJob>;

export const ZkpJobRef = z.object({ jobId: z.string().min(1).max(64) }).strict();

export const ZkpVerifyRequest = z.intersection(ZkpStatement, z.object({ proof: Base64Proof }));
export type ZkpVerifyRequest = z.infer<typeof ZkpVerifyRequest>;

/** A well-formed request always gets a verdict; `code` says why a proof was rejected. */
export const ZkpVerifyReply = z.object({
  valid: z.boolean(),
  code: z.string().optional(),
  reason: z.string().optional(),
  verifyMs: z.number(),
});
export type ZkpVerifyReply = z.infer<typeof ZkpVerifyReply>;

export const ZkpSubjects = {
  proofCreate: endpoint({
    service: "zkp",
    subject: "zkp.v1.proof.create",
    request: ZkpProveRequest,
    reply: ZkpJob,
    description: "Queue a STARK proof; with wait=true (default) the reply carries the finished job.",
  }),
  proofVerify: endpoint({
    service: "zkp",
    subject: "zkp.v1.proof.verify",
    request: ZkpVerifyRequest,
    reply: ZkpVerifyReply,
    description: "Verify a STARK proof against its statement.",
  }),
  jobGet: endpoint({
    service: "zkp",
    subject: "zkp.v1.job.get",
    request: ZkpJobRef,
    reply: ZkpJob,
    description: "Status (and result) of a proving job.",
  }),
} as const;
