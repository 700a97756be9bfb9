import { airFor, decodeProof, StarkError, type Statement, verify } from "@p2pnode/stark";
import { CodedError, ZKP_MAX_PROOF_BYTES, type ZkpVerifyReply, type ZkpVerifyRequest } from "@p2pnode/types";

/**
 * Verifies a proof against its statement. A bad statement (it cannot be turned into an AIR) is
 * the caller's error (4xx); a proof that does not decode or does not verify is a verdict.
 */
export function verifyStatement(req: ZkpVerifyRequest): ZkpVerifyReply {
  const started = performance.now();
  const bytes = Buffer.from(req.proof, "base64");
  if (bytes.length > ZKP_MAX_PROOF_BYTES)
    throw new CodedError("PAYLOAD_TOO_LARGE", `proof exceeds ${ZKP_MAX_PROOF_BYTES} bytes`);
  const air = airFor({ air: req.air, publicInputs: req.publicInputs } as Statement);
  const verifyMs = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    verify(air, decodeProof(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    return { valid: true, verifyMs: verifyMs() };
  } catch (err) {
    if (err instanceof StarkError)
      return { valid: false, code: err.code, reason: err.message, verifyMs: verifyMs() };
    throw err;
  }
}
