import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { API_LISTENER, LISTENERS, ROLE_SERVICES, Role } from "@p2pnode/types";
import { afterEach, describe, expect, it } from "vitest";
import { checkReady, readyUrls } from "../docker/healthcheck.mjs";

describe("readyUrls", () => {
  it.each(Role.options)("checks every service of a %s node on its container port", (role) => {
    const urls = readyUrls({ P2PNODE_ROLE: role, P2PNODE_API_HOST: "0.0.0.0" });
    expect(urls).toEqual(
      ROLE_SERVICES[role].map((s) => ({
        service: s,
        url: `http://127.0.0.1:${LISTENERS[API_LISTENER[s]].port}/ready`,
      })),
    );
  });

  it("follows kit's port precedence: a port variable, then the port base, then the default", () => {
    const urls = readyUrls({ P2PNODE_ROLE: "light", P2PNODE_PORT_BASE: "20000", P2PNODE_CHAIN_PORT: "9999" });
    expect(urls.map((u) => u.url)).toEqual([
      "http://127.0.0.1:9999/ready",
      "http://127.0.0.1:20100/ready",
      "http://127.0.0.1:20400/ready",
    ]);
  });

  it("dials a specific API host, bracketing IPv6", () => {
    expect(readyUrls({ P2PNODE_ROLE: "light", P2PNODE_API_HOST: "::1" })[0]!.url).toBe(
      "http://[::1]:7200/ready",
    );
    expect(readyUrls({ P2PNODE_ROLE: "light", P2PNODE_API_HOST: "10.0.0.7" })[0]!.url).toBe(
      "http://10.0.0.7:7200/ready",
    );
  });

  it("rejects an unknown role instead of checking nothing", () => {
    expect(() => readyUrls({ P2PNODE_ROLE: "archive" })).toThrow();
  });
});

describe("checkReady", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function serve(status: number): Promise<number> {
    const s = createServer((req, res) => {
      res.writeHead(req.url === "/ready" ? status : 404).end();
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return (s.address() as AddressInfo).port;
  }

  /** A port nothing listens on: bound, then closed. */
  async function closedPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  it("is ok when every service of the role answers 200", async () => {
    const env = {
      P2PNODE_ROLE: "light",
      P2PNODE_CHAIN_PORT: String(await serve(200)),
      P2PNODE_GATEWAY_PORT: String(await serve(200)),
      P2PNODE_DHT_PORT: String(await serve(200)),
    };
    expect(await checkReady(env)).toEqual({ ok: true, failures: [] });
  });

  it("names each service that is not ready, and why", async () => {
    const env = {
      P2PNODE_ROLE: "light",
      P2PNODE_CHAIN_PORT: String(await serve(503)),
      P2PNODE_GATEWAY_PORT: String(await serve(200)),
      P2PNODE_DHT_PORT: String(await closedPort()),
    };
    expect(await checkReady(env)).toEqual({
      ok: false,
      failures: ["chain (HTTP 503)", "dht (ECONNREFUSED)"],
    });
  });
});
