import { callJson } from "@p2pnode/sdk";
import { CodedError, ZkpJob, type ZkpSpendWitness } from "@p2pnode/types";

/** How often the job is asked for while the node proves (each answer redraws the progress line). */
const POLL_MS = 200;

/**
 * Has the node's zkp service prove a spend (POST /spends, then its job until done), drawing one
 * progress line of the prover phases on stderr; the proof bytes. Through the sdk's typed calls, so
 * a zkp service that does not answer, refuses the witness or lost the job is one ApiError with
 * its code (a line from the CLI), not fetch's TypeError or a schema error on an error body.
 */
export async function proveSpend(zkpUrl: string, witness: ZkpSpendWitness): Promise<Uint8Array> {
  const base = zkpUrl.replace(/\/$/, "");
  let job = await callJson("POST", `${base}/spends`, ZkpJob, { witness });
  const out = process.stderr;
  while (job.status === "queued" || job.status === "running") {
    const p = job.progress;
    const line = p ? `proving: ${p.done}/${p.total} ${p.phase}` : `proving: ${job.status}`;
    out.write(out.isTTY ? `\r${line.padEnd(40)}` : `${line}\n`);
    await new Promise((r) => setTimeout(r, POLL_MS));
    job = await callJson("GET", `${base}/proofs/jobs/${encodeURIComponent(job.jobId)}`, ZkpJob);
  }
  if (job.status === "failed" || !job.spendProof) {
    throw new CodedError("UPSTREAM_UNAVAILABLE", `zkp: proving failed: ${job.error?.message ?? "no proof"}`);
  }
  out.write(
    `${out.isTTY ? "\r" : ""}proved in ${job.spendProof.proveMs} ms (${job.spendProof.proofBytes} bytes)\n`,
  );
  return new Uint8Array(Buffer.from(job.spendProof.proof, "base64"));
}
