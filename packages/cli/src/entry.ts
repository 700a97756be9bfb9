#!/usr/bin/env node
// The CLI's entry. `pnpm build` bundles it, with every module it imports, into dist/main.js: the
// `p2pnode` bin, the image's entrypoint and what devnet starts for each node (scripts/bundle.mjs).
import { CodedError } from "@p2pnode/types";

// `p2pnode node start` is what every container and devnet node runs for its whole life: load only
// the supervisor for it, not the devnet/SDK/codec modules the other commands need (~25 MiB of RSS).
// Only the bare command: anything after it (--help, a mistyped option, an argument) goes through
// the parser, which explains or refuses it instead of starting a node that ignores it.
const [command, sub, ...rest] = process.argv.slice(2);
if (command === "node" && sub === "start" && rest.length === 0) {
  const { nodeStart } = await import("./node/start-command.js");
  await nodeStart();
} else {
  await runCli();
}

async function runCli(): Promise<void> {
  const { Command, CommanderError } = await import("commander");
  const { VERSION } = await import("./version.js");
  const program = new Command()
    .name("p2pnode")
    .description("p2pnode: a blockchain peer-to-peer node (six services over a private NATS)")
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  const node = program.command("node").description("run this machine's node");
  node
    .command("start")
    .description(
      "start the node supervisor: identity, private nats-server, and the services of P2PNODE_ROLE.\n" +
        "Configured by P2PNODE_* environment variables (see README); stops cleanly on SIGTERM/SIGINT.",
    )
    .action(async () => (await import("./node/start-command.js")).nodeStart());

  (await import("./devnet/commands.js")).registerDevnet(program);
  (await import("./wallet/commands.js")).registerWallet(program);
  (await import("./chain/commands.js")).registerChain(program);
  (await import("./compute/commands.js")).registerCompute(program);
  (await import("./shielded/commands.js")).registerShielded(program);

  const { DevnetError } = await import("@p2pnode/devnet");
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof DevnetError || err instanceof CodedError) {
      process.stderr.write(`p2pnode: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
