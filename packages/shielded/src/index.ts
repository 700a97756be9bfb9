/**
 * @p2pnode/shielded — notes, keys, the note-commitment tree, note encryption and scanning, and
 * the spend API over the STARK spend AIR of @p2pnode/stark. Pure: no I/O.
 */
export * from "./bytes.js";
export * from "./encryption.js";
export * from "./errors.js";
export * from "./frontier.js";
export * from "./keys.js";
export * from "./note.js";
export * from "./roots.js";
export * from "./scan.js";
export * from "./spend.js";
export * from "./tree.js";
export * from "./tx-fields.js";
export { nobleShared, X25519Agreement } from "./x25519.js";
