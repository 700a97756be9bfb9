import { MAX_MESSAGE_BYTES } from "../limits.js";

/*
 * Limits of the P2P messages (DESIGN.md §5). Each decoder checks the whole message against
 * its type's byte limit before parsing, then every list against its count limit.
 */

/** Largest P2P message (plaintext of one frame), as Bitcoin Core and libp2p use: 4 MiB. */
export const MAX_P2P_MESSAGE_BYTES = MAX_MESSAGE_BYTES;
/** Most inventory items in one inv/getdata/notfound (Bitcoin Core's MAX_INV_SZ). */
export const MAX_INV_ITEMS = 50_000;
/** Most addresses in one addr message (Bitcoin Core's MAX_ADDR_TO_SEND). */
export const MAX_ADDRS = 1_000;
/** Most locator hashes in get-headers (a dense-then-sparse locator of a 2^32-block chain fits). */
export const MAX_LOCATOR = 64;
/** Most headers in one headers/chain-response message (Bitcoin Core answers 2,000). */
export const MAX_HEADERS = 2_000;
/** Most blocks asked for in one get-blocks; the answer is cut to fit one message. */
export const MAX_GET_BLOCKS = 500;
/** Longest hostname in an address (DNS limit). */
export const MAX_HOST_CHARS = 253;
/** Longest free-text reason in a validation result. */
export const MAX_REASON_CHARS = 64;
/** Longest decimal total-work string (2^256 has 78 digits). */
export const MAX_WORK_DIGITS = 80;
/** Bytes of one inventory entry: kind (1) ‖ hash (32). */
export const INV_ENTRY_BYTES = 33;
