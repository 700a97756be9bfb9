import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { CryptoError } from "./errors.js";
import { type Account, accountFromMnemonic, isValidMnemonic, normalizeMnemonic } from "./wallet.js";

/** The wallet file: the mnemonic (the only secret) and which account index to use. Mode 0600. */
const WalletFileJson = z.object({
  version: z.literal(1),
  mnemonic: z.string().min(1),
  account: z.number().int().min(0).max(0x7fff_ffff),
});
export type WalletFileJson = z.infer<typeof WalletFileJson>;

export function defaultWalletPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.P2PNODE_WALLET ?? join(homedir(), ".p2pnode", "wallet.json"));
}

export function writeWallet(file: string, mnemonic: string, account = 0, overwrite = false): void {
  if (!isValidMnemonic(mnemonic)) {
    throw new CryptoError(
      "BAD_MNEMONIC",
      "not a valid English BIP-39 mnemonic (a word or the checksum is wrong)",
    );
  }
  if (existsSync(file) && !overwrite) {
    throw new CryptoError(
      "WALLET_EXISTS",
      `${file} already exists; refusing to overwrite a wallet (use --force)`,
    );
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const body: WalletFileJson = { version: 1, mnemonic: normalizeMnemonic(mnemonic), account };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readWallet(file: string): WalletFileJson & { key: Account } {
  if (!existsSync(file)) {
    throw new CryptoError("NO_WALLET", `no wallet at ${file}: create one with \`p2pnode wallet new\``);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CryptoError(
      "WALLET_MODE",
      `${file} has mode ${mode.toString(8)}; it must be 600 (chmod 600 ${file})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new CryptoError("WALLET_CORRUPT", `${file} is not valid JSON`);
  }
  const parsed = WalletFileJson.safeParse(json);
  if (!parsed.success) throw new CryptoError("WALLET_CORRUPT", `${file} is not a p2pnode wallet file`);
  return { ...parsed.data, key: accountFromMnemonic(parsed.data.mnemonic, parsed.data.account) };
}
