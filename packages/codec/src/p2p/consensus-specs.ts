import { MAX_VALIDATORS } from "@p2pnode/types";
import { maxCertificateBytes } from "../consensus/certificate.js";
import { maxRelayBytes } from "../consensus/layouts.js";
import { CodecError } from "../errors.js";
import { readBytes } from "../fields.js";
import { MAX_BLOCK_BYTES } from "../limits.js";
import { checkBytes, checkList, checkUint, readBytesList, readUint } from "./fields.js";
import { MAX_P2P_MESSAGE_BYTES } from "./limits.js";
import type { MessageSpec } from "./specs.js";

/*
 * The P2P messages of dolev-strong networks (type bytes 0x50–0x5f). The consensus message itself
 * is carried as opaque bytes: its own decoder (codec/consensus) checks it against the genesis
 * validator count, which this layer does not know, so the limit here is the largest message of
 * the largest validator set and the receiver checks the tighter one before parsing.
 */

/** Largest consensus message of any network: a relay of the largest block signed by every validator. */
export const MAX_CONSENSUS_MESSAGE_BYTES = 1 + maxRelayBytes(MAX_VALIDATORS);
/** Largest certificate of any network. */
export const MAX_CERTIFICATE_BYTES = maxCertificateBytes(MAX_VALIDATORS);
/** Most final blocks asked for (and answered) in one get-final. */
export const MAX_FINAL_BLOCKS = 64;

const SLACK = 256;

export const CONSENSUS_SPECS: {
  consensus: MessageSpec<"consensus">;
  finalBlock: MessageSpec<"finalBlock">;
  getFinal: MessageSpec<"getFinal">;
  finalBlocks: MessageSpec<"finalBlocks">;
} = {
  consensus: {
    keys: ["message"],
    maxBytes: MAX_CONSENSUS_MESSAGE_BYTES + SLACK,
    encode: (m) => ({
      message: checkBytes(m.message, "consensus.message", undefined, MAX_CONSENSUS_MESSAGE_BYTES),
    }),
    decode: (map, what) => ({
      type: "consensus",
      message: readBytes(map, "message", what, undefined, MAX_CONSENSUS_MESSAGE_BYTES),
    }),
  },
  finalBlock: {
    keys: ["block", "certificate"],
    maxBytes: MAX_BLOCK_BYTES + MAX_CERTIFICATE_BYTES + SLACK,
    encode: (m) => ({
      block: checkBytes(m.block, "finalBlock.block", undefined, MAX_BLOCK_BYTES),
      certificate: checkBytes(m.certificate, "finalBlock.certificate", undefined, MAX_CERTIFICATE_BYTES),
    }),
    decode: (map, what) => ({
      type: "finalBlock",
      block: readBytes(map, "block", what, undefined, MAX_BLOCK_BYTES),
      certificate: readBytes(map, "certificate", what, undefined, MAX_CERTIFICATE_BYTES),
    }),
  },
  getFinal: {
    keys: ["id", "fromHeight", "max"],
    maxBytes: 64,
    encode: (m) => ({
      id: checkUint(m.id, "getFinal.id", 0xffff_ffff),
      fromHeight: checkUint(m.fromHeight, "getFinal.fromHeight"),
      max: checkUint(m.max, "getFinal.max", MAX_FINAL_BLOCKS),
    }),
    decode: (map, what) => ({
      type: "getFinal",
      id: readUint(map, "id", what, 0xffff_ffff),
      fromHeight: readUint(map, "fromHeight", what),
      max: readUint(map, "max", what, MAX_FINAL_BLOCKS),
    }),
  },
  finalBlocks: {
    keys: ["id", "blocks", "certificates"],
    maxBytes: MAX_P2P_MESSAGE_BYTES - 1,
    encode: (m) => {
      if (m.blocks?.length !== m.certificates?.length) {
        throw new CodecError("ENCODE_INVALID", "finalBlocks: one certificate per block");
      }
      return {
        id: checkUint(m.id, "finalBlocks.id", 0xffff_ffff),
        blocks: checkList(m.blocks, "finalBlocks.blocks", MAX_FINAL_BLOCKS).map((b, i) =>
          checkBytes(b, `finalBlocks.blocks[${i}]`, undefined, MAX_BLOCK_BYTES),
        ),
        certificates: checkList(m.certificates, "finalBlocks.certificates", MAX_FINAL_BLOCKS).map((c, i) =>
          checkBytes(c, `finalBlocks.certificates[${i}]`, undefined, MAX_CERTIFICATE_BYTES),
        ),
      };
    },
    decode: (map, what) => {
      const blocks = readBytesList(map, "blocks", what, MAX_FINAL_BLOCKS, { maxLength: MAX_BLOCK_BYTES });
      const certificates = readBytesList(map, "certificates", what, MAX_FINAL_BLOCKS, {
        maxLength: MAX_CERTIFICATE_BYTES,
      });
      if (blocks.length !== certificates.length) {
        throw new CodecError("DECODE_SCHEMA", `${what}: one certificate per block`);
      }
      return { type: "finalBlocks", id: readUint(map, "id", what, 0xffff_ffff), blocks, certificates };
    },
  },
};
