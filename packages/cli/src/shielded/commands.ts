import {
  type ShieldedTransferTx,
  type ShieldTx,
  type SignedTransaction,
  signedTransactionToJson,
  type UnshieldTx,
} from "@p2pnode/codec";
import {
  addressHexOf,
  defaultWalletPath,
  readWallet,
  shieldedTxHash,
  signTransaction,
  txId,
} from "@p2pnode/crypto";
import { ChainClient } from "@p2pnode/sdk";
import {
  addressOf,
  decodeAddress,
  encodeAddress,
  type PreparedSpend,
  prepareSpend,
  spendTxFields,
} from "@p2pnode/shielded";
import type { Command } from "commander";
import { formatCoins, parseAmount } from "../chain/format.js";
import { chainUrl, serviceUrl } from "../chain/node-url.js";
import { CliError } from "../errors.js";
import { planSpend, scanChain } from "./plan.js";
import { defaultShieldedKeyPath, loadSpendingKey, witnessJson } from "./wallet.js";
import { proveSpend } from "./zkp-proof.js";

const EMPTY = new Uint8Array(0);

interface Common {
  key?: string;
  node?: string;
  zkp?: string;
}

function arg<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CliError("BAD_ARGS", (err as Error).message);
  }
}

/** Proves through the node's zkp service (zkp-proof.ts), bound to the tx's hash. */
function prove(zkpUrl: string, prep: PreparedSpend, txHash: Uint8Array): Promise<Uint8Array> {
  return proveSpend(zkpUrl, witnessJson(prep, txHash));
}

async function submit(chain: ChainClient, stx: SignedTransaction): Promise<void> {
  const { id } = await chain.submitTx(signedTransactionToJson(stx, txId(stx)));
  process.stdout.write(`submitted ${id} (${stx.tx.kind}, fee ${formatCoins(stx.tx.fee)})\n`);
}

/** `p2pnode shielded address|balance|shield|send|unshield`. */
export function registerShielded(program: Command): void {
  const cmd = program
    .command("shielded")
    .description("shielded notes: private amounts and parties, spends proved by the node's zkp service")
    .option(
      "--key <file>",
      "shielded key file (default $P2PNODE_SHIELDED_KEY or ~/.p2pnode/shielded-key.json)",
    )
    .option("--node <url>", "chain API URL (default: $P2PNODE_CHAIN_URL, the devnet's node0, or :7200)")
    .option("--zkp <url>", "zkp API URL (default: $P2PNODE_ZKP_URL, the devnet's node0, or this machine's)");
  const common = (): Common => cmd.opts();
  const key = (create = false) => loadSpendingKey(common().key ?? defaultShieldedKeyPath(), create);
  const chain = () => new ChainClient(chainUrl(common().node));
  const zkp = () => serviceUrl("zkp", common().zkp);

  cmd
    .command("address")
    .description("print your shielded address (zs…), creating the key file on first use")
    .action(() => {
      process.stdout.write(`${encodeAddress(addressOf(key(true)))}\n`);
    });

  cmd
    .command("balance")
    .description("scan the chain with your viewing key: unspent notes and their total")
    .action(async () => {
      const view = await scanChain(chain(), key());
      const total = view.notes.reduce((s, n) => s + n.note.value, 0n);
      for (const n of view.notes) process.stdout.write(`note #${n.position}: ${formatCoins(n.note.value)}\n`);
      process.stdout.write(
        `shielded balance: ${formatCoins(total)} in ${view.notes.length} notes (scanned ${view.scanned.blocks} blocks, ${view.scanned.outputs} outputs)\n`,
      );
    });

  cmd
    .command("shield")
    .description("move coins from your account (wallet) into a note of yours (or --to a zs address)")
    .requiredOption("--amount <coins>", "amount in coins or base units with a u suffix")
    .option("--fee <coins>", "fee, paid by the account", "0.0001")
    .option("--to <zs-address>", "recipient of the note (default: yourself)")
    .option("--wallet <file>", "account wallet file (default $P2PNODE_WALLET or ~/.p2pnode/wallet.json)")
    .action(async (o: { amount: string; fee: string; to?: string; wallet?: string }) => {
      const amount = arg(() => parseAmount(o.amount, "--amount"));
      const fee = arg(() => parseAmount(o.fee, "--fee"));
      const sk = key(true);
      const to = o.to ? arg(() => decodeAddress(o.to!)) : addressOf(sk);
      const wallet = readWallet(o.wallet ?? defaultWalletPath());
      const c = chain();
      const [tip, account, view] = await Promise.all([
        c.tip(),
        c.account(addressHexOf(wallet.key.publicKey)),
        scanChain(c, sk),
      ]);
      const prep = prepareSpend({
        sk,
        inputs: [],
        tree: view.tree,
        outputs: [{ to, value: amount }],
        publicIn: amount,
      });
      const tx: ShieldTx = {
        kind: "shield",
        from: wallet.key.publicKey,
        amount,
        fee,
        nonce: account.pendingNonce,
        ...spendTxFields(prep),
        proof: EMPTY,
      };
      const proof = await prove(zkp(), prep, shieldedTxHash(tx, tip.chainId));
      await submit(c, signTransaction({ ...tx, proof }, tip.chainId, wallet.key));
    });

  cmd
    .command("send")
    .description("pay a zs address from your notes; amounts and parties stay private")
    .requiredOption("--to <zs-address>", "recipient's shielded address")
    .requiredOption("--amount <coins>", "amount in coins or base units with a u suffix")
    .option("--fee <coins>", "fee, paid from your notes", "0.0001")
    .action(async (o: { to: string; amount: string; fee: string }) => {
      const amount = arg(() => parseAmount(o.amount, "--amount"));
      const fee = arg(() => parseAmount(o.fee, "--fee"));
      const to = arg(() => decodeAddress(o.to));
      const c = chain();
      const { chainId, prep } = await planSpend(c, key(), amount, fee, { pay: to });
      const tx: ShieldedTransferTx = { kind: "shielded", fee, ...spendTxFields(prep), proof: EMPTY };
      const proof = await prove(zkp(), prep, shieldedTxHash(tx, chainId));
      await submit(c, { tx: { ...tx, proof }, signature: EMPTY });
    });

  cmd
    .command("unshield")
    .description("move coins from your notes to an account address")
    .requiredOption("--to <address>", "recipient account address (40 hex characters)")
    .requiredOption("--amount <coins>", "amount in coins or base units with a u suffix")
    .option("--fee <coins>", "fee, paid from your notes", "0.0001")
    .action(async (o: { to: string; amount: string; fee: string }) => {
      if (!/^[0-9a-f]{40}$/.test(o.to))
        throw new CliError("BAD_ARGS", "--to: expected a 40-character lowercase hex address");
      const amount = arg(() => parseAmount(o.amount, "--amount"));
      const fee = arg(() => parseAmount(o.fee, "--fee"));
      const c = chain();
      const { chainId, prep } = await planSpend(c, key(), amount, fee, { publicOut: true });
      const tx: UnshieldTx = {
        kind: "unshield",
        to: Buffer.from(o.to, "hex"),
        amount,
        fee,
        ...spendTxFields(prep),
        proof: EMPTY,
      };
      const proof = await prove(zkp(), prep, shieldedTxHash(tx, chainId));
      await submit(c, { tx: { ...tx, proof }, signature: EMPTY });
    });
}
