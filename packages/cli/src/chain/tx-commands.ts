import {
  decodeSignedTransaction,
  encodeSignedTransaction,
  fromHex,
  MAX_MEMO_BYTES,
  MAX_SHIELDED_TX_BYTES,
  type SignedTransaction,
  signedTransactionToJson,
  type TransferTx,
  toHex,
} from "@p2pnode/codec";
import {
  addressHexOf,
  defaultWalletPath,
  readWallet,
  signTransaction,
  txId,
  verifyTransaction,
} from "@p2pnode/crypto";
import type { ChainClient } from "@p2pnode/sdk";
import { Genesis } from "@p2pnode/types";
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { readStdinText } from "../util/stdin.js";
import { formatCoins, parseAmount } from "./format.js";

/** The node options every tx command takes (`--node`, and the client it gives). */
export interface NodeOptions {
  flag: string;
  help: string;
  client(opts: { node?: string }): ChainClient;
}

interface TransferOptions {
  to: string;
  amount: string;
  fee: string;
  memo: string;
  nonce?: string;
  wallet?: string;
  node?: string;
}

/** The options that say what to transfer; `tx send` and `tx sign` take the same ones. */
function transferOptions(cmd: Command, nonceHelp: string): Command {
  return cmd
    .requiredOption("--to <address>", "recipient address (40 hex characters)")
    .requiredOption(
      "--amount <coins>",
      "amount in coins (e.g. 1.5) or base units with a u suffix (150000000u)",
    )
    .option("--fee <coins>", "fee in coins or base units", "0.0001")
    .option("--memo <text>", "a note stored with the transaction (≤ 256 bytes)", "")
    .option("--nonce <n>", nonceHelp)
    .option("--wallet <file>", "wallet file (default $P2PNODE_WALLET or ~/.p2pnode/wallet.json)");
}

/**
 * Signs the transfer `o` describes with the wallet's key. The chain id and the nonce are asked
 * from the node only when not given, so with both given nothing leaves the machine.
 */
async function signTransfer(
  o: TransferOptions & { chainId?: string },
  node: NodeOptions,
): Promise<{ stx: SignedTransaction; transfer: TransferTx; nonce: number; chainId: string }> {
  if (!/^[0-9a-f]{40}$/.test(o.to))
    throw new CliError("BAD_ARGS", "--to: expected a 40-character lowercase hex address");
  const amount = arg(() => parseAmount(o.amount, "--amount"));
  const fee = arg(() => parseAmount(o.fee, "--fee"));
  const memo = Buffer.from(o.memo, "utf8");
  if (memo.length > MAX_MEMO_BYTES) throw new CliError("BAD_ARGS", `--memo: at most ${MAX_MEMO_BYTES} bytes`);
  if (o.nonce !== undefined && !/^[0-9]{1,15}$/.test(o.nonce))
    throw new CliError("BAD_ARGS", "--nonce: a whole number");
  if (o.chainId !== undefined) parseChainId(o.chainId);
  const wallet = readWallet(o.wallet ?? defaultWalletPath());
  const from = wallet.key.publicKey;
  const chain = o.chainId === undefined || o.nonce === undefined ? node.client(o) : undefined;
  const [chainId, nonce] = await Promise.all([
    o.chainId ?? chain!.tip().then((t) => t.chainId),
    o.nonce === undefined ? chain!.account(addressHexOf(from)).then((a) => a.pendingNonce) : Number(o.nonce),
  ]);
  const transfer: TransferTx = {
    kind: "transfer",
    from,
    to: Buffer.from(o.to, "hex"),
    amount,
    fee,
    nonce,
    memo,
  };
  return { stx: signTransaction(transfer, chainId, wallet.key), transfer, nonce, chainId };
}

/** `p2pnode tx send | sign | decode | submit`. */
export function registerTx(program: Command, node: NodeOptions): void {
  const tx = program.command("tx").description("sign transactions locally and submit them");

  transferOptions(
    tx
      .command("send")
      .description("send coins from your wallet: signed here, submitted to the node's REST API"),
    "account nonce to use (default: the node's next pending nonce)",
  )
    .option("--wait", "wait until the transaction is mined")
    .option(node.flag, node.help)
    .action(async (o: TransferOptions & { wait?: boolean }) => {
      const { stx, transfer, nonce } = await signTransfer(o, node);
      const chain = node.client(o);
      const { id } = await chain.submitTx(signedTransactionToJson(stx, txId(stx)));
      process.stdout.write(
        `submitted ${id} (nonce ${nonce}, ${formatCoins(transfer.amount)} to ${o.to}, fee ${formatCoins(transfer.fee)})\n`,
      );
      if (o.wait) await waitMined(chain, id);
    });

  transferOptions(
    tx
      .command("sign")
      .description(
        "sign a transfer and print it as hex of its encoding (PROTOCOL.md §4), for `tx submit` here or on another machine",
      )
      .addHelpText(
        "after",
        "\nWith --nonce and --chain-id the node is not asked anything: sign on an offline machine,\ncarry the hex over, then: p2pnode tx submit <hex>",
      ),
    "account nonce to use (default: ask the node for the next pending nonce)",
  )
    .option("--chain-id <id>", "network to sign for (default: ask the node)")
    .option(node.flag, `${node.help}; only asked when --nonce or --chain-id is missing`)
    .action(async (o: TransferOptions & { chainId?: string }) => {
      const { stx, nonce, chainId } = await signTransfer(o, node);
      const bytes = encodeSignedTransaction(stx);
      process.stdout.write(`${toHex(bytes)}\n`);
      process.stderr.write(`signed ${toHex(txId(bytes))} (nonce ${nonce}, chain ${chainId})\n`);
    });

  tx.command("decode")
    .description(
      "show a signed transaction given as hex of its encoding: its id and fields as JSON, without asking the node",
    )
    .argument("<hex>", "the transaction's encoding in hex, as `tx sign` prints it; - reads it from stdin")
    .option("--chain-id <id>", "also check the signature for this network (signatureValid)")
    .action(async (text: string, o: { chainId?: string }) => {
      const chainId = o.chainId === undefined ? undefined : parseChainId(o.chainId);
      const { bytes, stx } = parseSignedHex(text === "-" ? await readStdin() : text);
      const shown = {
        ...signedTransactionToJson(stx, txId(bytes)),
        ...(chainId === undefined ? {} : { signatureValid: verifyTransaction(stx, chainId, bytes) }),
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    });

  tx.command("submit")
    .description("submit a signed transaction given as hex of its encoding (POST /txs/raw)")
    .argument("<hex>", "the transaction's encoding in hex, as `tx sign` prints it; - reads it from stdin")
    .option("--wait", "wait until the transaction is mined")
    .option(node.flag, node.help)
    .action(async (text: string, o: { wait?: boolean; node?: string }) => {
      const { bytes } = parseSignedHex(text === "-" ? await readStdin() : text);
      const chain = node.client(o);
      const { id } = await chain.submitRawTx(bytes);
      process.stdout.write(`submitted ${id}\n`);
      if (o.wait) await waitMined(chain, id);
    });
}

function parseChainId(text: string): string {
  if (!Genesis.shape.chainId.safeParse(text).success)
    throw new CliError(
      "BAD_ARGS",
      "--chain-id: lowercase letters, digits and dashes (the chainId of the node's GET /tip)",
    );
  return text;
}

/**
 * Hex of one canonical signed-tx encoding, checked here so a mistyped or truncated paste is
 * refused with the decoder's reason before anything is sent.
 */
function parseSignedHex(text: string): { bytes: Uint8Array; stx: SignedTransaction } {
  const hex = text.trim();
  if (hex.length > MAX_SHIELDED_TX_BYTES * 2)
    throw new CliError(
      "BAD_ARGS",
      `<hex>: longer than the largest transaction (${MAX_SHIELDED_TX_BYTES} bytes)`,
    );
  const bytes = arg(() => fromHex(hex, "<hex>"));
  return { bytes, stx: arg(() => decodeSignedTransaction(bytes)) };
}

/** A tx's hex from stdin: a paste of the largest tx's hex and a newline fits, more is not one tx. */
const readStdin = () =>
  readStdinText({
    limit: {
      bytes: MAX_SHIELDED_TX_BYTES * 2 + 2,
      message: `stdin: longer than the largest transaction (${MAX_SHIELDED_TX_BYTES} bytes)`,
    },
  });

async function waitMined(chain: ChainClient, id: string): Promise<void> {
  for (;;) {
    const s = await chain.tx(id);
    if (s.status === "mined") {
      process.stdout.write(`mined in block ${s.block!.height} (${s.block!.hash})\n`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function arg<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CliError("BAD_ARGS", (err as Error).message);
  }
}
