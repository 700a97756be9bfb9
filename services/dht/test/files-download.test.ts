import { decodeManifest, encodeManifest, ValueKind } from "@p2pnode/codec/dht";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DhtError } from "../src/errors.js";
import { Files } from "../src/files.js";
import type { ValueProtocol } from "../src/value-protocol.js";

// Download failure paths with a scripted value source: what a busy network does to chunk lookups.
const CHUNK = 16;
const chunks = Array.from({ length: 8 }, (_, i) => new Uint8Array(CHUNK).fill(i + 1));
const manifest = decodeManifest(
  encodeManifest({
    size: CHUNK * chunks.length,
    chunkSize: CHUNK,
    name: "f",
    chunks: chunks.map((_, i) => new Uint8Array(32).fill(i + 1)),
  }),
);

type Script = (index: number, call: number) => Promise<Uint8Array>;
function filesWith(script: Script): { files: Files; calls: number[] } {
  const calls = chunks.map(() => 0);
  const values = {
    get: async (key: Uint8Array) => {
      const i = key[0]! - 1;
      calls[i]!++;
      return { kind: ValueKind.Content, bytes: await script(i, calls[i]!), seq: 0, source: "network" };
    },
  } as unknown as ValueProtocol;
  return { files: new Files({ concurrency: 4 }, { values }), calls };
}

const later = <T>(ms: number, f: () => T) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(f());
      } catch (err) {
        reject(err);
      }
    }, ms),
  );
const notFound = () => {
  throw new DhtError("NOT_FOUND", "no node holds it");
};

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});
const settle = () => new Promise((r) => setTimeout(r, 50));

async function readAll(files: Files): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of files.download(manifest)) out.push(c);
  return out;
}

describe("file download under failing lookups", () => {
  it("a chunk fetched ahead that fails for good ends the download with its error, not the process", async () => {
    // chunk 0 is slow; chunk 2 (fetched ahead) fails at once on every attempt
    const { files } = filesWith((i) =>
      i === 2 ? later(0, notFound) : later(i === 0 ? 100 : 0, () => chunks[i]!),
    );
    const err = await readAll(files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DhtError);
    expect((err as DhtError).code).toBe("NOT_FOUND");
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("a chunk whose lookup fails twice is looked up again and the file arrives whole", async () => {
    const { files, calls } = filesWith((i, call) =>
      i === 5 && call < 3 ? later(0, notFound) : later(0, () => chunks[i]!),
    );
    const got = await readAll(files);
    expect(Buffer.concat(got)).toEqual(Buffer.concat(chunks));
    expect(calls[5]).toBe(3);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("a reader that goes away leaves no failing fetch behind", async () => {
    // the client disconnects after the first chunk; the fetches already ahead fail afterwards
    const { files } = filesWith((i) => (i === 0 ? later(0, () => chunks[0]!) : later(30, notFound)));
    const it = files.download(manifest);
    expect((await it.next()).value).toEqual(chunks[0]);
    await it.return(undefined);
    await settle();
    await settle();
    expect(unhandled).toEqual([]);
  });
});
