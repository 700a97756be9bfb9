import { Readable } from "node:stream";
import { fromHex, toHex } from "@p2pnode/codec";
import { ValueKind } from "@p2pnode/codec/dht";
import { dhtMutableKey } from "@p2pnode/crypto";
import { type App, type NodeConfig, requireAdmin } from "@p2pnode/kit";
import { CodedError, DhtLookupResult, DhtPutResult, DhtValue, DhtValuePutRequest } from "@p2pnode/types";
import type { DhtService } from "./dht-service.js";
import { DhtError } from "./errors.js";
import { recordToJson } from "./node-record.js";
import {
  CorruptResult,
  FileIdParams,
  KeyParams,
  ManifestView,
  NodeIdParams,
  PeersQuery,
  PeersView,
  RecordPutBody,
  RecordPutResult,
  StatsView,
  TableView,
  TransfersView,
  UploadQuery,
  UploadResult,
} from "./schemas.js";
import { signMutable } from "./values.js";
import { contactJson, getValueJson, lookupJson, putContentJson } from "./views.js";

const tags = ["dht"];

/** REST routes of the dht service (README.md lists them). */
export function registerRoutes(app: App, dht: DhtService, config: NodeConfig): void {
  const { node, values, files, transfers } = dht;
  const admin = requireAdmin(config.apiToken);

  app.get("/table", { schema: { tags, response: { 200: TableView } } }, async () => ({
    nodeId: node.selfIdHex,
    size: node.table.size,
    record: recordToJson(node.record),
    buckets: node.table.listBuckets().map((b) => ({
      index: b.index,
      entries: b.entries.map(contactJson),
      replacements: b.replacements,
      lastLookupMs: Math.round(b.touchedAt),
    })),
  }));

  app.get(
    "/peers",
    { schema: { tags, querystring: PeersQuery, response: { 200: PeersView } } },
    async (req) => ({
      records: node.knownRecords(req.query.limit).map(recordToJson),
    }),
  );

  app.get(
    "/nodes/:nodeId",
    { schema: { tags, params: NodeIdParams, response: { 200: DhtLookupResult } } },
    (req) => lookupJson(node, req.params.nodeId),
  );

  app.post(
    "/values",
    { schema: { tags, body: DhtValuePutRequest, response: { 200: DhtPutResult } } },
    (req) => putContentJson(values, req.body.value, req.body.ttlSeconds),
  );

  app.get("/values/:key", { schema: { tags, params: KeyParams, response: { 200: DhtValue } } }, (req) =>
    getValueJson(values, node, req.params.key),
  );

  // signed with the node's identity key: publishing under it is an admin act
  app.post(
    "/records",
    { preHandler: admin, schema: { tags, body: RecordPutBody, response: { 200: RecordPutResult } } },
    async (req) => {
      const key = dhtMutableKey(node.signer.publicKey, req.body.name);
      const seq = Math.max(Date.now(), (dht.store.get(key)?.seq ?? 0) + 1);
      const rec = signMutable(
        req.body.name,
        seq,
        new Uint8Array(Buffer.from(req.body.data, "base64")),
        node.signer,
      );
      const ttlMs = req.body.ttlSeconds === undefined ? undefined : req.body.ttlSeconds * 1000;
      const replicas = await values.put(ValueKind.Mutable, key, rec.bytes, { ttlMs });
      return { key: toHex(key), seq, replicas };
    },
  );

  app.register(async (scope) => {
    // The body stays a stream: files are chunked as they arrive, never buffered whole. Only
    // application/octet-stream is parsed here: a JSON or text body would reach the chunker as an
    // object or a string (it answered 500), so any other type is 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/octet-stream", (_req, payload, done) => done(null, payload));
    scope.post(
      "/files",
      { schema: { tags, querystring: UploadQuery, response: { 200: UploadResult } } },
      async (req) => {
        // No body, and so no content type, never reaches the parser: say what is expected.
        if (!(req.body instanceof Readable))
          throw new CodedError("BAD_REQUEST", "expected the file as an application/octet-stream body");
        // the child scope loses the zod type provider's typing, not its validation
        const { name } = req.query as { name: string };
        const transfer = transfers.start("upload", name);
        try {
          return await files.upload(req.body, name, transfer);
        } catch (err) {
          transfer.error = (err as Error).message;
          throw err;
        }
      },
    );
  });

  app.get(
    "/files/:fileId/manifest",
    { schema: { tags, params: FileIdParams, response: { 200: ManifestView } } },
    async (req) => {
      const m = await files.manifest(fromHex(req.params.fileId, "file id", 32));
      return {
        fileId: req.params.fileId,
        name: m.name,
        size: m.size,
        chunkSize: m.chunkSize,
        chunks: m.chunks.map(toHex),
      };
    },
  );

  app.get("/files/:fileId", { schema: { tags, params: FileIdParams } }, async (req, reply) => {
    const manifest = await files.manifest(fromHex(req.params.fileId, "file id", 32));
    const transfer = transfers.start("download", manifest.name);
    transfer.fileId = req.params.fileId;
    const chunks = files.download(manifest, transfer);
    // fetch the first chunk before the status line goes out, so "not found" is still a clean 404
    const first = await chunks.next();
    async function* body() {
      try {
        if (!first.done) yield first.value;
        yield* chunks;
      } catch (err) {
        transfer.error = (err as Error).message;
        // the status line is gone, so the client only sees the socket close: say why in the log
        req.log.warn(
          { fileId: req.params.fileId, chunksDone: transfer.chunksDone, error: transfer.error },
          "file download failed mid-stream",
        );
        throw err;
      }
    }
    return reply
      .header("content-type", "application/octet-stream")
      .header("content-length", String(manifest.size))
      .header(
        "content-disposition",
        `attachment; filename="${manifest.name.replace(/[^\w.-]/g, "_") || req.params.fileId}"`,
      )
      .send(Readable.from(body()));
  });

  app.get("/transfers", { schema: { tags, response: { 200: TransfersView } } }, async () => ({
    transfers: transfers.all(),
  }));

  app.get("/stats", { schema: { tags, response: { 200: StatsView } } }, async () => ({
    nodeId: node.selfIdHex,
    network: dht.networkName,
    udp: dht.transport.local,
    table: { contacts: node.table.size, buckets: node.table.listBuckets().length },
    datagrams: {
      sent: node.rpc.stats.sent,
      received: node.rpc.stats.received,
      dropped: node.rpc.stats.dropped as Record<string, number>,
      timeouts: node.rpc.stats.timeouts,
    },
    node: { ...node.stats },
    values: { ...values.stats },
    store: dht.store.usage(),
    bootstrap: { configured: dht.bootstrapper.configured, lastError: dht.bootstrapper.lastError },
  }));

  app.post(
    "/admin/bootstrap",
    { preHandler: admin, schema: { tags, response: { 200: StatsView.shape.table } } },
    async () => {
      await node.bootstrap(await dht.bootstrapper.endpoints());
      return { contacts: node.table.size, buckets: node.table.listBuckets().length };
    },
  );

  // devnet only: lets the e2e test serve a corrupted chunk from one node and watch readers route around it
  app.post(
    "/admin/debug/corrupt/:key",
    { preHandler: admin, schema: { tags, params: KeyParams, response: { 200: CorruptResult } } },
    async (req) => {
      if (!config.devnet) throw new DhtError("NOT_FOUND", "debug routes exist only on a devnet");
      const v = dht.store.get(fromHex(req.params.key, "key", 32));
      if (!v) throw new DhtError("NOT_FOUND", "no such value in the local store");
      const value = v.value.slice();
      value[0] = (value[0] ?? 0) ^ 0xff;
      dht.store.replace({ ...v, value: value.length > 0 ? value : Uint8Array.of(1) });
      return {
        key: req.params.key,
        kind: v.kind === ValueKind.Content ? ("content" as const) : ("mutable" as const),
      };
    },
  );
}
