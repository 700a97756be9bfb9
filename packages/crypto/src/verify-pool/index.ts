export { rawVerifyRate } from "./raw-rate.js";
export type { StartVerifyWorker } from "./start-worker.js";
export { startVerifyWorker, verifyWorkerEntry } from "./start-worker.js";
export {
  defaultVerifyPoolOptions,
  MAX_VERIFY_THREADS,
  type VerdictSink,
  VerifyPool,
  type VerifyPoolModules,
  type VerifyPoolOptions,
} from "./verify-pool.js";
