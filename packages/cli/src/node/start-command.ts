import { ConfigError, NodeEnv, parseEnv, toNodeConfig } from "@p2pnode/kit/config";
import { createLogger } from "@p2pnode/kit/log";
import { padName } from "../util/line-prefixer.js";
import { SupervisorError } from "./errors.js";
import { Supervisor } from "./supervisor.js";

/** `p2pnode node start`: run until SIGTERM/SIGINT; a fixable start-up problem exits with one line. */
export async function nodeStart(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const out = (line: string) => process.stdout.write(line);
  let supervisor: Supervisor | undefined;
  try {
    const config = toNodeConfig(parseEnv(NodeEnv, env));
    if (config.role === "validator") {
      // The role exists in the schema for the consensus work; until it lands, a node started as a
      // validator would only mine, so refuse rather than promise Dolev-Strong.
      fail(
        "config error: P2PNODE_ROLE=validator is not available yet (Dolev-Strong consensus is pending): use miner, full or light",
        2,
      );
    }
    const log = createLogger("supervisor", config.logLevel, {
      write: (s: string) => out(`${padName("node")}${s}`),
    });
    supervisor = new Supervisor({ config, env, log, out });
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal: sig }, "stopping node");
      void supervisor!.stop().then(() => process.exit(0));
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    await supervisor.start();
  } catch (err) {
    await supervisor?.stop().catch(() => undefined);
    if (err instanceof ConfigError) fail(`config error: ${err.message}`, 2);
    if (err instanceof SupervisorError) fail(err.message, 1);
    throw err;
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`p2pnode: ${message}\n`);
  process.exit(code);
}
