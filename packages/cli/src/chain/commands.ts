import { addressHexOf, defaultWalletPath, readWallet } from "@p2pnode/crypto";
import { formatTable } from "@p2pnode/devnet";
import { ChainClient } from "@p2pnode/sdk";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { formatCoins, isoTime, shortHash } from "./format.js";
import { chainUrl } from "./node-url.js";
import { registerTx } from "./tx-commands.js";

const nodeOption = "--node <url>";
const nodeHelp = "chain API URL (default: $P2PNODE_CHAIN_URL, the devnet's node0, or http://127.0.0.1:7200)";

function client(opts: { node?: string }): ChainClient {
  return new ChainClient(chainUrl(opts.node));
}

/** `p2pnode tx send | sign | submit`, `chain show`, `mempool`, `account`. */
export function registerChain(program: Command): void {
  registerTx(program, { flag: nodeOption, help: nodeHelp, client });

  const chainCmd = program.command("chain").description("read the node's chain");
  chainCmd
    .command("show")
    .description("the latest blocks as a table: height, hash, txs, miner, time")
    .option("--limit <n>", "how many blocks (1-100)", "10")
    .option("--from <height>", "start at this height instead of the tip")
    .option(nodeOption, nodeHelp)
    .action(async (o: { limit: string; from?: string; node?: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new CliError("BAD_ARGS", "--limit: 1 to 100");
      const from = o.from === undefined ? undefined : Number(o.from);
      if (from !== undefined && !Number.isSafeInteger(from))
        throw new CliError("BAD_ARGS", "--from: a height");
      const page = await client(o).blocks({ from, limit });
      // Dolev-Strong networks: a final column (final blocks, with their certificate's signer count).
      const finality = page.blocks.some((b) => b.final !== undefined);
      const rows = [...page.blocks]
        .sort((a, b) => b.height - a.height)
        .map((b) => [
          String(b.height),
          shortHash(b.hash),
          String(b.txCount),
          b.header.miner,
          isoTime(b.header.timestamp),
          ...(finality ? [finalCell(b)] : []),
        ]);
      const head = ["height", "hash", "txs", "miner", "time", ...(finality ? ["final"] : [])];
      process.stdout.write(`${formatTable(head, rows)}\n`);
    });

  program
    .command("mempool")
    .description("pending transactions, highest fee first")
    .option("--limit <n>", "how many (1-100)", "50")
    .option(nodeOption, nodeHelp)
    .action(async (o: { limit: string; node?: string }) => {
      const page = await client(o).mempool({ limit: Number(o.limit) });
      const rows = page.txs.map((t) => [
        shortHash(t.id),
        t.from,
        t.to,
        formatCoins(t.amount),
        formatCoins(t.fee),
        String(t.nonce),
      ]);
      process.stdout.write(
        `${page.count} pending, ${page.bytes} bytes\n${formatTable(["id", "from", "to", "amount", "fee", "nonce"], rows)}\n`,
      );
    });

  program
    .command("account")
    .description("balance and nonce of an address (default: your wallet's)")
    .argument("[address]", "40 hex characters")
    .option("--wallet <file>", "wallet file when no address is given")
    .option(nodeOption, nodeHelp)
    .action(async (address: string | undefined, o: { wallet?: string; node?: string }) => {
      const addr = address ?? addressHexOf(readWallet(o.wallet ?? defaultWalletPath()).key.publicKey);
      if (!/^[0-9a-f]{40}$/.test(addr))
        throw new CliError("BAD_ARGS", "address: 40 lowercase hex characters");
      const a = await client(o).account(addr);
      process.stdout.write(
        `address:  ${a.address}\nbalance:  ${formatCoins(a.balance)}\nnonce:    ${a.nonce}\npending:  ${a.pendingTxs} (next nonce ${a.pendingNonce})\n`,
      );
    });
}

/** "final (3 signers)", "final (genesis)" or "no". */
function finalCell(b: {
  final?: boolean;
  certificate?: { signers: number[] } | null;
  height: number;
}): string {
  if (!b.final) return "no";
  return b.certificate ? `final (${b.certificate.signers.length} signers)` : "final (genesis)";
}
