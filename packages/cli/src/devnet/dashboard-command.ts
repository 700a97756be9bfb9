import { spawn } from "node:child_process";
import { Devnet, DevnetError, serviceUrls } from "@p2pnode/devnet";
import type { Command } from "commander";

/**
 * `p2pnode devnet dashboard`: the URL of a devnet node's dashboard (every gateway serves it; the
 * page follows peers from there), opened in the desktop's browser with --open.
 */
export function registerDevnetDashboard(devnet: Command): void {
  devnet
    .command("dashboard")
    .description("print (or --open) the live network dashboard served by a node's gateway")
    .option("--node <name>", "the node whose gateway serves the page (default: node0)", "node0")
    .option("--open", "open it with xdg-open / open")
    .action(async (opts: { node: string; open?: boolean }) => {
      const net = new Devnet({ dir: devnet.opts().dir });
      const state = net.requireState();
      const node = state.nodes.find((n) => n.name === opts.node);
      if (!node) {
        throw new DevnetError(
          "BAD_ARGS",
          `no node named ${opts.node} (have ${state.nodes.map((n) => n.name).join(", ")})`,
        );
      }
      const url = `${serviceUrls(node).gateway}/dashboard`;
      const ok = await fetch(url, { signal: AbortSignal.timeout(3_000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (!ok)
        throw new DevnetError(
          "NOT_READY",
          `${url} does not answer: is the devnet up? (p2pnode devnet status)`,
        );
      process.stdout.write(`${url}\n`);
      if (opts.open) {
        const opener = process.platform === "darwin" ? "open" : "xdg-open";
        spawn(opener, [url], { stdio: "ignore", detached: true })
          .on("error", () => process.stderr.write(`could not run ${opener}; open the URL above\n`))
          .unref();
      }
    });
}
