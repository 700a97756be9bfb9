import { fromHex } from "@p2pnode/codec";
import type { Bus } from "@p2pnode/kit";
import {
  type AccountAtHeight,
  ChainReadSubjects,
  ChainSubjects,
  CodedError,
  type TxInclusionProof,
} from "@p2pnode/types";

export interface LocalTip {
  height: number;
  hash: Uint8Array;
  totalWork: string;
}

export type SubmitOutcome =
  | { ok: true; status?: string }
  | { ok: false; code: string; message: string; details?: unknown };

/** What the gateway needs of the chain service: narrow, so tests can pass a stub. */
export interface ChainPort {
  tip(): Promise<LocalTip>;
  submitTx(tx: Uint8Array): Promise<SubmitOutcome>;
  submitBlock(block: Uint8Array): Promise<SubmitOutcome>;
  getBlock(hashHex: string): Promise<Uint8Array | undefined>;
  getTx(idHex: string): Promise<Uint8Array | undefined>;
  headers(locator: string[], stop: string | undefined, max: number): Promise<Uint8Array[]>;
  /** For light peers; absent on stubs (then the gateway answers "not found"). */
  txProof?(idHex: string): Promise<TxInclusionProof | undefined>;
  account?(addressHex: string): Promise<AccountAtHeight>;
}

/** Block submissions wait for validation and COMMIT of a full block: allow for it. */
const SUBMIT_TIMEOUT_MS = 30_000;
const READ_TIMEOUT_MS = 5_000;

function outcome(err: unknown): SubmitOutcome {
  if (err instanceof CodedError)
    return { ok: false, code: err.code, message: err.message, details: err.details };
  return { ok: false, code: "INTERNAL", message: (err as Error)?.message ?? String(err) };
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof CodedError && err.code === "NOT_FOUND") return undefined;
    throw err;
  }
}

/**
 * The chain over NATS (ChainSubjects, ChainReadSubjects). A peer's tx or block goes to the chain as
 * the bytes the peer sent (the submit subjects carry codec bytes): no JSON round trip, and the
 * chain decodes them once.
 */
export function natsChainPort(bus: Bus): ChainPort {
  return {
    txProof: (id) => orUndefined(bus.request(ChainReadSubjects.txProofGet, { id }, READ_TIMEOUT_MS)),
    account: (address) => bus.request(ChainReadSubjects.accountGet, { address }, READ_TIMEOUT_MS),
    async tip() {
      const t = await bus.request(ChainSubjects.tipGet, {}, READ_TIMEOUT_MS);
      return { height: t.height, hash: fromHex(t.hash, "tip hash", 32), totalWork: t.totalWork };
    },
    async submitTx(tx) {
      try {
        await bus.request(ChainSubjects.txSubmit, { tx }, SUBMIT_TIMEOUT_MS);
        return { ok: true };
      } catch (err) {
        return outcome(err);
      }
    },
    async submitBlock(block) {
      try {
        const v = await bus.request(ChainSubjects.blockSubmit, { block, source: "peer" }, SUBMIT_TIMEOUT_MS);
        return { ok: true, status: v.status };
      } catch (err) {
        return outcome(err);
      }
    },
    async getBlock(hash) {
      const r = await orUndefined(bus.request(ChainReadSubjects.blockGet, { hash }, READ_TIMEOUT_MS));
      return r?.block;
    },
    async getTx(id) {
      const r = await orUndefined(bus.request(ChainReadSubjects.txGet, { id }, READ_TIMEOUT_MS));
      return r?.tx;
    },
    async headers(locator, stop, max) {
      const r = await bus.request(
        ChainReadSubjects.headersGet,
        { locator, max, ...(stop === undefined ? {} : { stop }) },
        READ_TIMEOUT_MS,
      );
      return r.headers;
    },
  };
}
