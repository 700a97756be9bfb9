import { join } from "node:path";
import {
  decodeHeader,
  fromHex,
  headerToJson,
  type SignedTransaction,
  signedTransactionToJson,
  splitBlock,
} from "@p2pnode/codec";
import { addressHexOf, headerHash, txId } from "@p2pnode/crypto";
import type { ServiceContext } from "@p2pnode/kit";
import { checkTx, decodeTxBytes, decoding, txFromJson } from "@p2pnode/rules";
import type { Genesis } from "@p2pnode/types";
import {
  AccountState,
  AddressHex,
  BlockPage,
  type BlockSummary,
  ChainReadSubjects,
  ChainSubjects,
  ChainTip,
  CodedError,
  ErrorBody,
  GatewaySubjects,
  Hash32Hex,
  SignedTransactionJson,
  type SignedTransactionJson as StxJson,
  SyncStatus,
  TxStatus,
  TxSubmitted,
} from "@p2pnode/types";
import { z } from "zod";
import { defaultChainOptions } from "../chain.js";
import { reject } from "../errors.js";
import { certificateToJson } from "../finality/finality.js";
import { LightFinality, serveLightFinality } from "../finality/light-finality.js";
import { rawTxRoute, TX_BODY_LIMIT_BYTES } from "../routes/txs.js";
import { natsSyncNetwork } from "../sync/nats-network.js";
import { HeaderStore } from "./header-store.js";
import { LightChain } from "./light-chain.js";
import { LightSync } from "./light-sync.js";
import { lightTxStatus } from "./light-tx-lookup.js";

const tags = ["chain"];
/** Own transactions kept to serve peers' getdata and GET /txs/:id. */
const MAX_OWN_TXS = 1_000;
const PERIODIC_MS = 15_000;

/**
 * The chain service of a light node: headers only (LightChain), header sync through the gateway,
 * tx inclusion proofs and balances asked of full peers (proofs verified against our headers),
 * and our own transactions broadcast through the gateway's relay.
 */
export async function setupLightChain(ctx: ServiceContext, genesis: Genesis): Promise<() => Promise<void>> {
  const { bus, app, log } = ctx;
  const store = new HeaderStore(join(ctx.config.dataDir, "chain", "headers.sqlite"));
  const light = new LightChain(genesis, store);
  const net = natsSyncNetwork(bus, log);
  const sync = new LightSync({ light, net, log });
  /** Our own txs, as JSON for REST and as the codec bytes the gateway serves to peers. */
  const own = new Map<string, { json: StxJson; bytes: Uint8Array }>();
  /**
   * Our own tx, from REST's JSON or raw bytes: the stateless rules a full node applies first, with
   * its fee floor (no state to check more), then kept and announced.
   */
  const admitOwn = (stx: SignedTransaction, claimedId?: string, bytes?: Uint8Array): { id: string } => {
    const t = checkTx(
      stx,
      { chainId: genesis.chainId, minFee: defaultChainOptions.minFee },
      claimedId,
      bytes,
    );
    const id = t.idHex;
    if (own.size >= MAX_OWN_TXS) own.delete(own.keys().next().value!);
    own.set(id, { json: signedTransactionToJson(t.stx, t.id), bytes: t.bytes });
    // The gateway announces it (inv) to every peer, as for a full node's accepted tx.
    bus.publish(ChainSubjects.txAccepted, { id, fee: String(t.stx.tx.fee), tx: t.bytes });
    return { id };
  };
  // Dolev-Strong: headers come with certificates instead of by proof-of-work header sync.
  const final = light.finality && new LightFinality({ light, set: light.finality.set, bus, net, log });
  if (final) await serveLightFinality(bus, final);
  const kick = () =>
    void (final ? final.catchUp() : sync.sync()).catch((err) =>
      log.warn({ err: (err as Error).message }, "light sync failed"),
    );

  // Dolev-Strong: every header here came with a certificate that checked out, so each is final;
  // the fields match the full node's GET /blocks (null for a header stored before they were kept).
  const finalityOf = (height: number): Pick<BlockSummary, "final" | "certificate"> => {
    if (!light.finality) return {};
    const bytes = light.certificate(height);
    const n = light.finality.set.keys.length;
    return { final: true, certificate: bytes ? certificateToJson(bytes, n) : null };
  };

  const tip = (): ChainTip => {
    const h = light.header(light.height);
    return {
      height: light.height,
      hash: light.tipHashHex,
      totalWork: String(light.totalWork),
      timestamp: h?.header.timestamp ?? genesis.timestamp,
      chainId: genesis.chainId,
    };
  };

  ctx.readiness.store = () => ({ ok: store.db.open });
  ctx.readiness.sync = () => {
    const s = sync.progress();
    return {
      ok: true,
      detail: s.syncing
        ? `light: syncing headers ${s.height}/${s.bestKnownHeight}`
        : `light: headers at ${s.height}`,
    };
  };

  // The gateway's handshake and status: a light node announces no work, so full peers never pick
  // it to sync from or ask it for bodies (the handshake has no service bits to say "headers only").
  await bus.serve(ChainSubjects.tipGet, () => ({
    ...tip(),
    height: 0,
    totalWork: "0",
    hash: light.genesisHashHex,
  }));
  // A relayed block: its header extends ours, or it tells us to sync.
  // Only the header is kept: the block's framing is checked, its header decoded, its txs left as bytes.
  await bus.serve(ChainSubjects.blockSubmit, (req) => {
    if (final)
      throw reject("NO_CERTIFICATE", "a dolev-strong network takes a header only with its certificate");
    const header = decoding("block", () => decodeHeader(splitBlock(req.block).header));
    const at = light.header(header.height);
    const hash = Buffer.from(headerHash(header)).toString("hex");
    if (at && at.hashHex === hash)
      return { hash: at.hashHex, height: header.height, status: "known" as const };
    if (header.height === light.height + 1) {
      light.accept([header]);
      return { hash: light.tipHashHex, height: light.height, status: "connected" as const };
    }
    kick();
    return { hash, height: header.height, status: "orphan" as const };
  });
  // Peers' txs are not kept (no state to check them against); only our own are relayed.
  await bus.serve(ChainSubjects.txSubmit, (req) => {
    decodeTxBytes(req.tx); // DECODE_FAILED when they are not a transaction's codec bytes
    return { id: Buffer.from(txId(req.tx)).toString("hex") };
  });
  await bus.serve(ChainReadSubjects.txGet, (req) => {
    const tx = own.get(req.id);
    if (!tx) throw new CodedError("NOT_FOUND", `no transaction ${req.id}`);
    return { tx: tx.bytes, status: "mempool" as const };
  });
  await bus.serve(ChainReadSubjects.blockGet, (req) => {
    throw new CodedError("NOT_FOUND", `light node: no block bodies (${req.hash})`);
  });
  await bus.serve(ChainReadSubjects.headersGet, () => ({ headers: [] }));

  app.get("/tip", { schema: { tags, response: { 200: ChainTip } } }, async () => tip());
  app.get("/sync", { schema: { tags, response: { 200: SyncStatus } } }, async () => sync.progress());
  app.get(
    "/blocks",
    {
      schema: {
        tags,
        description:
          "Headers of the best chain (a light node has no bodies: txCount and sizeBytes are 0; dolev-strong: `final` and the `certificate` each header was taken with)",
        querystring: z.object({
          from: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(10),
        }),
        response: { 200: BlockPage },
      },
    },
    async (req) => {
      const limit = req.query.limit;
      const from = req.query.from ?? Math.max(1, light.height - limit + 1);
      const blocks = [];
      for (let h = Math.max(1, from); h <= light.height && blocks.length < limit; h++) {
        const p = light.header(h)!;
        blocks.push({
          hash: p.hashHex,
          height: h,
          header: headerToJson(p.header),
          txCount: 0,
          sizeBytes: 0,
          totalWork: String(p.totalWork),
          status: "main" as const,
          receivedAt: 0,
          ...finalityOf(h),
        });
      }
      const last = blocks.at(-1)?.height ?? light.height;
      return { blocks, tipHeight: light.height, next: last < light.height ? last + 1 : null };
    },
  );
  app.post(
    "/txs",
    {
      bodyLimit: TX_BODY_LIMIT_BYTES,
      schema: { tags, body: SignedTransactionJson, response: { 202: TxSubmitted, 400: ErrorBody } },
    },
    async (req, reply) => {
      const { id } = admitOwn(txFromJson(req.body), req.body.id);
      return reply.status(202).send({ id, status: "pending" as const });
    },
  );
  rawTxRoute(app, async (bytes) => admitOwn(decodeTxBytes(bytes), undefined, bytes));
  app.get(
    "/txs/:id",
    {
      schema: {
        tags,
        description:
          "A tx of any kind: mined once a full peer's inclusion proof verifies against our headers (the body from that peer, checked against the id), pending while one we submitted is not proven",
        params: z.object({ id: Hash32Hex }),
        response: { 200: TxStatus, 404: ErrorBody },
      },
    },
    async (req) => lightTxStatus({ light, bus, log, own: (id) => own.get(id)?.json }, req.params.id),
  );
  app.get(
    "/accounts/:address",
    {
      schema: {
        tags,
        description: "Balance and nonce as a full peer reports them (unproven: headers carry no state root)",
        params: z.object({ address: AddressHex }),
        response: { 200: AccountState, 503: ErrorBody },
      },
    },
    async (req) => {
      const { account } = await bus.request(
        GatewaySubjects.accountFetch,
        { address: req.params.address },
        30_000,
      );
      if (!account) throw new CodedError("UPSTREAM_UNAVAILABLE", "no full peer answered");
      const pending = [...own.values()].filter(
        ({ json: t }) =>
          (t.tx.kind === "transfer" || t.tx.kind === "shield") &&
          t.tx.nonce >= account.nonce &&
          addressHexOf(fromHex(t.tx.from, "from")) === req.params.address,
      ).length;
      return {
        address: account.address,
        balance: account.balance,
        nonce: account.nonce,
        pendingNonce: account.nonce + pending,
        pendingTxs: pending,
      };
    },
  );

  bus.subscribe(GatewaySubjects.peerTip, (e) => {
    if (BigInt(e.totalWork) > light.totalWork) kick();
  });
  const timer = setInterval(kick, PERIODIC_MS);
  timer.unref();
  kick();
  log.info({ height: light.height }, "light chain open (headers only)");
  return async () => {
    clearInterval(timer);
    await sync.stop();
    light.close();
  };
}
