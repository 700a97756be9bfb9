import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsServerConfig } from "../bus/server-config.js";

/**
 * Test ports come from 10000–19999: below the kernel's ephemeral range (32768–60999 on Linux) and
 * below devnets' port blocks (20000 up). A port the OS hands out for bind(0) is an ephemeral one,
 * and on a busy machine an outgoing connection can take it between our close and the server's
 * listen (an EADDRINUSE seen in gateway tests); a port outside that range only a listener takes.
 */
const TEST_PORT_MIN = 10_000;
const TEST_PORT_SPAN = 10_000;
const handedOut = new Set<number>();

function bindsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    // 0.0.0.0 conflicts with a listener on any address, so the port is free wherever a test binds it.
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function bindsUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    sock.once("error", () => resolve(false));
    sock.bind({ port, address: "0.0.0.0", exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** A port free for TCP and UDP on every address, never the same one twice in this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 1_000; tries++) {
    const port = TEST_PORT_MIN + Math.floor(Math.random() * TEST_PORT_SPAN);
    if (handedOut.has(port)) continue;
    if ((await bindsTcp(port)) && (await bindsUdp(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free test port in ${TEST_PORT_MIN}–${TEST_PORT_MIN + TEST_PORT_SPAN - 1}`);
}

export interface TestNats {
  url: string;
  token: string;
  port: number;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

export function natsServerBin(): string {
  const bin = process.env.P2PNODE_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
  if (!existsSync(bin)) throw new TypeError(`tests need nats-server at ${bin} (apt-get install nats-server)`);
  return bin;
}

/** Servers started here and not yet exited: what `stopLeftServers` ends when the process exits. */
const running = new Set<{ proc: ChildProcess; dir: string }>();

/**
 * A test file or a bench that throws before its stop() (an uncaught error, a failed assertion at
 * top level, process.exit) would leave its servers running with nobody to stop them: found after a
 * crashed bench run left four. Process exit is synchronous, so the kill is a signal by pid.
 */
function stopLeftServers(): void {
  for (const { proc, dir } of running) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}
process.once("exit", stopLeftServers);

/**
 * Starts a real nats-server on a free loopback port with a token (or the given ones: a server
 * that comes up after its clients were told where it would be), configured as the supervisor
 * configures a node's (natsServerConfig: the size table's max_payload); stop() kills it by pid,
 * and so does this process's exit when stop() was never reached.
 */
export async function startTestNats(at: { port?: number; token?: string } = {}): Promise<TestNats> {
  const port = at.port ?? (await freePort());
  const token = at.token ?? randomBytes(18).toString("base64url");
  const dir = mkdtempSync(join(tmpdir(), "p2pnode-test-nats-"));
  const conf = join(dir, "nats.conf");
  writeFileSync(conf, natsServerConfig({ port, token }), { mode: 0o600 });
  const proc = spawn(natsServerBin(), ["-c", conf], { stdio: "ignore" });
  const server = { proc, dir };
  running.add(server);
  proc.once("exit", () => {
    running.delete(server);
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    token,
    port,
    proc,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await gone;
    },
  };
}
