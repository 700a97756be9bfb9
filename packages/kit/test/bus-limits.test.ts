import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { BUS_MAX_PAYLOAD_BYTES, MAX_BLOCK_BYTES } from "@p2pnode/codec";
import { bytesOf, event } from "@p2pnode/types";
import { connect } from "nats";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Bus, natsServerConfig } from "../src/bus/index.js";
import { createLogger } from "../src/log/index.js";
import { eventually, freePort, natsServerBin, startTestNats } from "../src/testing/index.js";

/*
 * The bus's share of the size table: the config the supervisor writes sets max_payload to
 * BUS_MAX_PAYLOAD_BYTES, and a client refuses, at connect, a server that takes less — with the
 * one-line error a service prints and exits with, instead of failing on the first full block.
 */

const log = createLogger("test", "silent");
const started: { stop: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
});

const blob = event({
  subject: "test.v1.block.published",
  encoding: "cbor",
  payload: z.object({ block: bytesOf(MAX_BLOCK_BYTES, "block") }),
  description: "a max-size block",
});

/** A nats-server with its defaults (max_payload 1 MB), as an operator's own server may be. */
async function defaultServer(): Promise<{ url: string; token: string }> {
  const port = await freePort();
  const token = randomBytes(12).toString("base64url");
  const proc: ChildProcess = spawn(
    natsServerBin(),
    ["-a", "127.0.0.1", "-p", String(port), "--auth", token],
    {
      stdio: "ignore",
    },
  );
  started.push({
    stop: async () => {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await gone;
    },
  });
  const url = `nats://127.0.0.1:${port}`;
  // Wait until it accepts connections: a raw connect that is closed at once.
  await eventually(
    async () => {
      const nc = await connect({ servers: url, token });
      await nc.close();
      return true;
    },
    (ok) => ok,
  );
  return { url, token };
}

describe("bus max_payload from the size table", () => {
  it("the node's config sets max_payload to BUS_MAX_PAYLOAD_BYTES, above a block and its envelope", () => {
    const conf = natsServerConfig({ port: 4222, token: "t" });
    expect(conf).toContain(`max_payload: ${BUS_MAX_PAYLOAD_BYTES}`);
    expect(BUS_MAX_PAYLOAD_BYTES).toBeGreaterThan(MAX_BLOCK_BYTES);
  });

  it("carries a max-size block in a CBOR event through a server started with that config", async () => {
    const nats = await startTestNats();
    started.push(nats);
    const a = await Bus.connect({ url: nats.url, token: nats.token, name: "a", version: "0", log });
    const b = await Bus.connect({ url: nats.url, token: nats.token, name: "b", version: "0", log });
    started.push({ stop: () => a.close() }, { stop: () => b.close() });
    expect(a.nc.info?.max_payload).toBe(BUS_MAX_PAYLOAD_BYTES);
    const got: Uint8Array[] = [];
    await b.subscribe(blob, (e) => void got.push(e.block));
    const block = new Uint8Array(MAX_BLOCK_BYTES).fill(7);
    a.publish(blob, { block });
    const [received] = await eventually(
      () => got,
      (g) => g.length === 1,
    );
    // Buffer.equals: vitest's toEqual walks a 2 MiB array element by element (about a minute).
    expect(Buffer.from(received!).equals(block)).toBe(true);
  });

  it("refuses to connect to a server whose max_payload is below the table's, with a one-line CONFIG_INVALID", async () => {
    const server = await defaultServer();
    const err = await Bus.connect({
      url: server.url,
      token: server.token,
      name: "c",
      version: "0",
      log,
    }).then(
      (bus) => {
        void bus.close();
        return undefined;
      },
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe("CONFIG_INVALID");
    expect(err?.message).toMatch(new RegExp(`max_payload ≥ ${BUS_MAX_PAYLOAD_BYTES}`));
    expect(err?.message).not.toContain("\n");
  });
});
