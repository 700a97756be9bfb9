import { defaultWalletPath, generateMnemonic, readWallet, writeWallet } from "@p2pnode/crypto";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { readStdinText } from "../util/stdin.js";

const readStdin = () => readStdinText({ prompt: "enter the mnemonic, then Ctrl-D:" });

function describe(file: string): string {
  const w = readWallet(file);
  return [
    `wallet:     ${file}`,
    `address:    ${Buffer.from(w.key.address).toString("hex")}`,
    `public key: ${Buffer.from(w.key.publicKey).toString("hex")}`,
    `path:       ${w.key.path}`,
  ].join("\n");
}

/** `p2pnode wallet new|import|show`: a BIP-39 wallet kept in a file of mode 0600. */
export function registerWallet(program: Command): void {
  const wallet = program
    .command("wallet")
    .description("your account keys: a BIP-39 mnemonic kept in a file of mode 0600")
    .option("--wallet <file>", "wallet file (default $P2PNODE_WALLET or ~/.p2pnode/wallet.json)");
  const file = () => (wallet.opts().wallet as string | undefined) ?? defaultWalletPath();

  wallet
    .command("new")
    .description("create a wallet with a fresh 24-word mnemonic (not printed: see `wallet show --mnemonic`)")
    .option("--words <n>", "12 or 24", "24")
    .option("--force", "overwrite an existing wallet file")
    .action((opts: { words: string; force?: boolean }) => {
      if (opts.words !== "12" && opts.words !== "24")
        throw new CliError("BAD_ARGS", "--words must be 12 or 24");
      writeWallet(file(), generateMnemonic(Number(opts.words) as 12 | 24), 0, opts.force === true);
      process.stdout.write(
        `${describe(file())}\nmnemonic saved (mode 0600); back it up with \`p2pnode wallet show --mnemonic\`\n`,
      );
    });

  wallet
    .command("import")
    .description(
      "create a wallet from an existing mnemonic read from standard input (never from the command line)",
    )
    .option("--account <index>", "account index under m/44'/7337'/0'/0'", "0")
    .option("--force", "overwrite an existing wallet file")
    .action(async (opts: { account: string; force?: boolean }) => {
      if (!/^[0-9]{1,9}$/.test(opts.account))
        throw new CliError("BAD_ARGS", "--account must be a whole number");
      writeWallet(file(), await readStdin(), Number(opts.account), opts.force === true);
      process.stdout.write(`${describe(file())}\n`);
    });

  wallet
    .command("show")
    .description("print the wallet's address and public key")
    .option("--mnemonic", "also print the mnemonic (keep it secret)")
    .action((opts: { mnemonic?: boolean }) => {
      process.stdout.write(`${describe(file())}\n`);
      if (opts.mnemonic) process.stdout.write(`mnemonic:   ${readWallet(file()).mnemonic}\n`);
    });
}
