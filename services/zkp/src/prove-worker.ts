import { parentPort } from "node:worker_threads";
import { CodedError } from "@p2pnode/types";
import { type ProveJobInput, runProveJob } from "./prove-job.js";
import { runSpendJob, type SpendProofResult } from "./spend-job.js";

/** Worker-thread entry: one job at a time; errors go back as plain data, never as a crash. */
export interface WorkerRequest {
  id: string;
  job: ProveJobInput;
}
export type WorkerReply =
  | { id: string; ok: true; result: ReturnType<typeof runProveJob> }
  | { id: string; ok: true; spend: SpendProofResult }
  | { id: string; progress: { phase: string; done: number; total: number } }
  | { id: string; ok: false; code: string; message: string; status: number };

parentPort?.on("message", (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if ("spend" in msg.job) {
      const spend = runSpendJob(msg.job.spend, (progress) =>
        parentPort?.postMessage({ id: msg.id, progress } satisfies WorkerReply),
      );
      reply = { id: msg.id, ok: true, spend };
    } else reply = { id: msg.id, ok: true, result: runProveJob(msg.job) };
  } catch (err) {
    const coded = err instanceof CodedError ? err : undefined;
    reply = {
      id: msg.id,
      ok: false,
      code: coded?.code ?? "INTERNAL",
      message: coded?.message ?? "prover failed",
      status: coded?.status ?? 500,
    };
  }
  parentPort?.postMessage(reply);
});
