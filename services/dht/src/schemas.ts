import {
  DhtBase64,
  DhtContact,
  DhtKeyHex,
  DhtNodeIdHex,
  DhtNodeRecord,
  DhtTtlSeconds,
  DhtValueKind,
} from "@p2pnode/types";
import { z } from "zod";

/** REST-only shapes of the dht service (the NATS ones live in @p2pnode/types). */

export const KeyParams = z.object({ key: DhtKeyHex });
export const NodeIdParams = z.object({ nodeId: DhtNodeIdHex });
export const FileIdParams = z.object({ fileId: DhtKeyHex });

export const TableView = z.object({
  nodeId: DhtNodeIdHex,
  size: z.number().int(),
  record: DhtNodeRecord,
  buckets: z.array(
    z.object({
      index: z.number().int().min(0).max(255),
      entries: z.array(DhtContact).max(20),
      replacements: z.number().int(),
      lastLookupMs: z.number().int(),
    }),
  ),
});

export const PeersQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
export const PeersView = z.object({ records: z.array(DhtNodeRecord).max(1000) });

export const RecordPutBody = z.object({
  name: z.string().min(1).max(64),
  data: DhtBase64,
  ttlSeconds: DhtTtlSeconds.optional(),
});
export const RecordPutResult = z.object({
  key: DhtKeyHex,
  seq: z.number().int(),
  replicas: z.number().int(),
});

export const UploadQuery = z.object({ name: z.string().max(64).default("") });
export const UploadResult = z.object({
  fileId: DhtKeyHex,
  size: z.number().int(),
  chunks: z.number().int(),
  chunkSize: z.number().int(),
  minReplicas: z.number().int(),
});
export const ManifestView = z.object({
  fileId: DhtKeyHex,
  name: z.string(),
  size: z.number().int(),
  chunkSize: z.number().int(),
  chunks: z.array(DhtKeyHex),
});

export const TransferView = z.object({
  id: z.string(),
  direction: z.enum(["upload", "download"]),
  name: z.string(),
  fileId: DhtKeyHex.optional(),
  bytesTotal: z.number().int().optional(),
  bytesDone: z.number().int(),
  chunksDone: z.number().int(),
  chunksTotal: z.number().int().optional(),
  startedAt: z.number().int(),
  finishedAt: z.number().int().optional(),
  error: z.string().optional(),
});
export const TransfersView = z.object({ transfers: z.array(TransferView).max(100) });

const Counts = z.record(z.string(), z.number());
export const StatsView = z.object({
  nodeId: DhtNodeIdHex,
  network: z.string(),
  udp: z.object({ host: z.string(), port: z.number().int() }),
  table: z.object({ contacts: z.number().int(), buckets: z.number().int() }),
  datagrams: z.object({ sent: Counts, received: Counts, dropped: Counts, timeouts: z.number().int() }),
  node: Counts,
  values: Counts,
  store: z.object({ values: z.number().int(), bytes: z.number().int(), quotaBytes: z.number().int() }),
  bootstrap: z.object({ configured: z.boolean(), lastError: z.string().optional() }),
});

export const CorruptResult = z.object({ key: DhtKeyHex, kind: DhtValueKind });
