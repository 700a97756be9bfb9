import { CliError } from "../errors.js";

/**
 * Standard input as text, read to its end (a mnemonic for `wallet import`, a tx's hex for
 * `tx decode -` and `tx submit -`). `prompt` is shown first when stdin is a terminal; past
 * `limit.bytes` the read stops with `limit.message`, so a wrong file cannot fill memory.
 */
export async function readStdinText(
  o: { prompt?: string; limit?: { bytes: number; message: string } } = {},
): Promise<string> {
  if (o.prompt !== undefined && process.stdin.isTTY) process.stderr.write(`${o.prompt}\n`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (o.limit && size > o.limit.bytes) throw new CliError("BAD_ARGS", o.limit.message);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
