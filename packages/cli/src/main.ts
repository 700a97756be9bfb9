#!/usr/bin/env node
import { DevnetError } from "@p2pnode/devnet";
import { CodedError } from "@p2pnode/types";
import { Command, CommanderError } from "commander";
import { registerChain } from "./chain/commands.js";
import { registerDevnet } from "./devnet/commands.js";
import { nodeStart } from "./node/start-command.js";
import { VERSION } from "./node/supervisor.js";
import { registerWallet } from "./wallet/commands.js";

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
  .action(() => nodeStart());

registerDevnet(program);
registerWallet(program);
registerChain(program);

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
