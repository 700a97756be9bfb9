import { createServer, type Server } from "node:net";
import { freePort } from "@p2pnode/kit/testing";
import { portsFromBase } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import { assertPortsFree } from "../src/node/ports.js";

const hosts = { api: "127.0.0.1", p2p: "127.0.0.1" };
let held: Server | undefined;

function hold(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen({ host: "127.0.0.1", port }, () => resolve(srv));
  });
}

afterEach(() => {
  held?.close();
  held = undefined;
});

describe("the supervisor's port check", () => {
  it("names the listener whose port is taken", async () => {
    const port = await freePort();
    held = await hold(port);
    const ports = { ...portsFromBase(20_000), chainApi: port };
    await expect(assertPortsFree(["chainApi"], ports, hosts)).rejects.toThrow(
      new RegExp(`port ${port}/tcp \\(P2PNODE_CHAIN_PORT.* is already in use`),
    );
  });

  it("with a grace period, waits for a port a just-reaped process is still releasing", async () => {
    const port = await freePort();
    const srv = await hold(port);
    const ports = { ...portsFromBase(20_000), chainApi: port };
    // Released while the check is already waiting, as a killed process's last thread exits.
    const check = assertPortsFree(["chainApi"], ports, hosts, 20_000);
    setTimeout(() => srv.close(), 300);
    await expect(check).resolves.toBeUndefined();
  });
});
