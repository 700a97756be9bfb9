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

/** What the gateway needs of the chain service: narrow, so tests can pass a stub. Bytes both ways. */
export interface ChainPort {
  tip(): Promise<LocalTip>;
  submitTx(tx: Uint8Array): Promise<SubmitOutcome>;
  submitBlock(block: Uint8Array): Promise<SubmitOutcome>;
  getBlock(hashHex: string): Promise<Uint8Array | undefined>;
  getTx(idHex: string): Promise<Uint8Array | undefined>;
  /** Best-chain headers after the locator; without one, from `fromHeight` (else after genesis). */
  headers(
    locator: string[],
    stop: string | undefined,
    max: number,
    fromHeight?: number,
  ): Promise<Uint8Array[]>;
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
 * The chain over NATS (ChainSubjects, ChainReadSubjects): blocks, txs and headers travel as their
 * codec bytes in CBOR payloads, exactly as they travel between peers; nothing is re-encoded.
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
      return (await orUndefined(bus.request(ChainReadSubjects.blockGet, { hash }, READ_TIMEOUT_MS)))?.block;
    },
    async getTx(id) {
      return (await orUndefined(bus.request(ChainReadSubjects.txGet, { id }, READ_TIMEOUT_MS)))?.tx;
    },
    async headers(locator, stop, max, fromHeight) {
      const r = await bus.request(
        ChainReadSubjects.headersGet,
        {
          locator,
          max,
          ...(stop === undefined ? {} : { stop }),
          ...(fromHeight === undefined ? {} : { fromHeight }),
        },
        READ_TIMEOUT_MS,
      );
      return r.headers;
    },
  };
}

/** Txs remembered from the chain's events for getdata (a transfer is ~200-430 bytes). */
const RECENT_TXS = 20_000;
/** Blocks remembered from the chain's events (at most 2 MiB each). */
const RECENT_BLOCKS = 8;

/**
 * A ChainPort that answers getdata for what the chain just announced from the bytes its events
 * carried, so relaying an accepted tx or a mined block asks the chain nothing.
 */
export class RecentItemsPort implements ChainPort {
  private readonly txs = new Map<string, Uint8Array>();
  private readonly blocks = new Map<string, Uint8Array>();

  constructor(private readonly inner: ChainPort) {
    if (inner.txProof) this.txProof = (id) => inner.txProof!(id);
    if (inner.account) this.account = (a) => inner.account!(a);
  }

  txProof?: ChainPort["txProof"];
  account?: ChainPort["account"];

  rememberTx(idHex: string, bytes: Uint8Array): void {
    remember(this.txs, RECENT_TXS, idHex, bytes);
  }

  rememberBlock(hashHex: string, bytes: Uint8Array): void {
    remember(this.blocks, RECENT_BLOCKS, hashHex, bytes);
  }

  tip(): Promise<LocalTip> {
    return this.inner.tip();
  }
  submitTx(tx: Uint8Array): Promise<SubmitOutcome> {
    return this.inner.submitTx(tx);
  }
  submitBlock(block: Uint8Array): Promise<SubmitOutcome> {
    return this.inner.submitBlock(block);
  }
  async getBlock(hashHex: string): Promise<Uint8Array | undefined> {
    return this.blocks.get(hashHex) ?? this.inner.getBlock(hashHex);
  }
  async getTx(idHex: string): Promise<Uint8Array | undefined> {
    return this.txs.get(idHex) ?? this.inner.getTx(idHex);
  }
  headers(
    locator: string[],
    stop: string | undefined,
    max: number,
    fromHeight?: number,
  ): Promise<Uint8Array[]> {
    return this.inner.headers(locator, stop, max, fromHeight);
  }
}

/** Insertion-ordered map as a FIFO of at most `cap` entries. */
function remember(map: Map<string, Uint8Array>, cap: number, key: string, bytes: Uint8Array): void {
  map.delete(key);
  map.set(key, bytes);
  if (map.size > cap) map.delete(map.keys().next().value!);
}
