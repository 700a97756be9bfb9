import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { eventually, freePort, type TestNode } from "@p2pnode/kit/testing";

/** The chain service as the supervisor runs it: its built entry point, a process of its own. */
const MAIN = new URL("../../../chain/dist/bundle.js", import.meta.url).pathname;

export interface ChainProcess {
  /** Its REST API, e.g. `http://127.0.0.1:40123`. */
  url: string;
  stop: () => Promise<void>;
}

/** Starts the real chain service on a test node's NATS and data dir; resolves once it is ready. */
export async function startChainProcess(node: TestNode): Promise<ChainProcess> {
  if (!existsSync(MAIN)) throw new TypeError(`build the chain service first: ${MAIN} is missing`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { ...node.env, P2PNODE_CHAIN_PORT: String(port) },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await eventually(
    () =>
      fetch(`${url}/ready`).then(
        (r) => r.status,
        () => 0,
      ),
    (s) => s === 200 || child.exitCode !== null,
    600,
    50,
  );
  if (child.exitCode !== null) throw new TypeError(`the chain service exited with ${child.exitCode}`);
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
