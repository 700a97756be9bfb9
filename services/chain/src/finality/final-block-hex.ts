import { fromHex } from "@p2pnode/codec";
import type { FinalBlockHex } from "@p2pnode/types";
import { reject } from "../errors.js";

/** A final block and its certificate as they come over NATS (hex), or DECODE_FAILED. */
export function decodeFinalBlockHex(req: FinalBlockHex): { block: Uint8Array; certificate: Uint8Array } {
  try {
    return { block: fromHex(req.block, "block"), certificate: fromHex(req.certificate, "certificate") };
  } catch (err) {
    throw reject("DECODE_FAILED", (err as Error).message);
  }
}
