import { toHex } from "@p2pnode/codec";
import { decodeManifest, encodeManifest, type Manifest, maxFileBytes, ValueKind } from "@p2pnode/codec/dht";
import { dhtContentKey } from "@p2pnode/crypto";
import { DhtError } from "./errors.js";
import type { ValueProtocol } from "./value-protocol.js";

/*
 * Files (the whitepaper's store_file / retrieve_file): cut into chunks of at most 64 KiB, each a
 * content-addressed value; a manifest (codec's layout) lists the chunk hashes and is itself a
 * content-addressed value whose key is the file id. A manifest fits one value (64 KiB), so a file
 * has at most ~2,040 chunks: about 127 MiB.
 */

/** Progress of one upload or download, for GET /transfers. */
export interface Transfer {
  id: string;
  direction: "upload" | "download";
  name: string;
  fileId?: string;
  bytesTotal?: number;
  bytesDone: number;
  chunksDone: number;
  chunksTotal?: number;
  startedAt: number;
  finishedAt?: number;
  error?: string;
}

/** The last 100 transfers, newest last. */
export class Transfers {
  private readonly list: Transfer[] = [];
  private next = 1;

  start(direction: Transfer["direction"], name: string): Transfer {
    const t: Transfer = {
      id: String(this.next++),
      direction,
      name,
      bytesDone: 0,
      chunksDone: 0,
      startedAt: Date.now(),
    };
    this.list.push(t);
    if (this.list.length > 100) this.list.shift();
    return t;
  }

  all(): Transfer[] {
    return [...this.list];
  }
}

export interface FilesOptions {
  /** Chunk size. Default 64 KiB (the largest value). */
  chunkBytes: number;
  /** Nodes each chunk is stored on; the manifest goes on k. Default 8: a 5 MB file costs 40 MB of uploads, not 100. */
  chunkReplicas: number;
  /** Chunks stored or fetched at once. Default 4. */
  concurrency: number;
  /** Lookups per chunk before a download fails. Default 3: on a busy node a lookup can time out once. */
  chunkAttempts: number;
}

export const defaultFilesOptions: FilesOptions = {
  chunkBytes: 64 * 1024,
  chunkReplicas: 8,
  concurrency: 4,
  chunkAttempts: 3,
};

export interface UploadResult {
  fileId: string;
  size: number;
  chunks: number;
  chunkSize: number;
  /** Fewest remote confirmations any chunk (or the manifest) got. */
  minReplicas: number;
}

export class Files {
  readonly opts: FilesOptions;

  constructor(
    opts: Partial<FilesOptions>,
    private readonly m: { values: ValueProtocol },
  ) {
    this.opts = { ...defaultFilesOptions, ...opts };
  }

  /** Reads a byte stream, storing each chunk as it fills; at most `concurrency` chunk stores in flight. */
  async upload(source: AsyncIterable<Uint8Array>, name = "", transfer?: Transfer): Promise<UploadResult> {
    const { chunkBytes } = this.opts;
    const limit = maxFileBytes(chunkBytes);
    const chunks: Uint8Array[] = [];
    const inFlight = new Set<Promise<void>>();
    let minReplicas = Number.POSITIVE_INFINITY;
    let size = 0;
    let failure: unknown;
    let buf = new Uint8Array(chunkBytes);
    let fill = 0;

    const storeChunk = async (chunk: Uint8Array) => {
      const key = dhtContentKey(chunk);
      chunks.push(key);
      const p = this.m.values
        .put(ValueKind.Content, key, chunk, { replicas: this.opts.chunkReplicas })
        .then((n) => {
          minReplicas = Math.min(minReplicas, n);
          if (transfer) transfer.chunksDone++;
        })
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= this.opts.concurrency) await Promise.race(inFlight);
      if (failure) throw failure;
    };

    for await (const piece of source) {
      size += piece.length;
      if (size > limit) throw new DhtError("FILE_TOO_LARGE", `files are limited to ${limit} bytes`);
      if (transfer) transfer.bytesDone = size;
      for (let off = 0; off < piece.length; ) {
        const n = Math.min(chunkBytes - fill, piece.length - off);
        buf.set(piece.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === chunkBytes) {
          await storeChunk(buf);
          buf = new Uint8Array(chunkBytes);
          fill = 0;
        }
      }
    }
    if (fill > 0 || size === 0) await storeChunk(buf.slice(0, fill));
    await Promise.all(inFlight);
    if (failure) throw failure;
    const manifest = encodeManifest({ size, chunkSize: chunkBytes, name, chunks: size === 0 ? [] : chunks });
    const fileId = dhtContentKey(manifest);
    minReplicas = Math.min(minReplicas, await this.m.values.put(ValueKind.Content, fileId, manifest));
    if (transfer) {
      transfer.fileId = toHex(fileId);
      transfer.bytesTotal = size;
      transfer.chunksTotal = chunks.length;
      transfer.finishedAt = Date.now();
    }
    return { fileId: toHex(fileId), size, chunks: chunks.length, chunkSize: chunkBytes, minReplicas };
  }

  async manifest(fileId: Uint8Array): Promise<Manifest> {
    const v = await this.m.values.get(fileId);
    if (v.kind !== ValueKind.Content) throw new DhtError("NOT_FOUND", "that key holds a record, not a file");
    try {
      return decodeManifest(v.bytes);
    } catch {
      throw new DhtError("NOT_FOUND", "that key holds a value, not a file manifest");
    }
  }

  /** Yields the file's chunks in order, each verified against its hash, fetching a few ahead. */
  async *download(manifest: Manifest, transfer?: Transfer): AsyncGenerator<Uint8Array> {
    if (transfer) {
      transfer.bytesTotal = manifest.size;
      transfer.chunksTotal = manifest.chunks.length;
    }
    const fetchChunk = async (i: number): Promise<Uint8Array> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await this.m.values.get(manifest.chunks[i]!)).bytes;
        } catch (err) {
          if (attempt >= this.opts.chunkAttempts) throw err;
        }
      }
    };
    const fetch = (i: number) => {
      const p = fetchChunk(i);
      // A chunk fetched ahead can fail before its turn, or after the reader went away: without a
      // handler attached now, that rejection is unhandled and Node ends the whole service.
      p.catch(() => undefined);
      return p;
    };
    const ahead: Promise<Uint8Array>[] = [];
    for (let i = 0; i < Math.min(this.opts.concurrency, manifest.chunks.length); i++) ahead.push(fetch(i));
    for (let i = 0; i < manifest.chunks.length; i++) {
      const p = ahead.shift()!;
      const next = i + this.opts.concurrency;
      if (next < manifest.chunks.length) ahead.push(fetch(next));
      const chunk = await p;
      const expected =
        i < manifest.chunks.length - 1 ? manifest.chunkSize : manifest.size - i * manifest.chunkSize;
      if (chunk.length !== expected)
        throw new DhtError("INVALID_VALUE", `chunk ${i} has ${chunk.length} bytes, not ${expected}`);
      if (transfer) {
        transfer.bytesDone += chunk.length;
        transfer.chunksDone++;
      }
      yield chunk;
    }
    if (transfer) transfer.finishedAt = Date.now();
  }
}
