import { DHT_MAX_VALUE_BYTES } from "@p2pnode/types";

/*
 * Sizes and limits of the DHT wire format (PROTOCOL.md, "DHT"). Every decoder checks its input
 * against them before it parses.
 */

/** Largest datagram: the IPv6 minimum MTU, so a datagram is never IP-fragmented. */
export const MAX_DATAGRAM_BYTES = 1280;
/** Fixed header: magic 4, version 1, type 1, request id 8, sender key 32, record seq 8, body length 2. */
export const HEADER_BYTES = 56;
export const SIGNATURE_BYTES = 64;
export const PUBLIC_KEY_BYTES = 32;
/** Kademlia ids (NodeIds, value keys): 256 bits. */
export const ID_BYTES = 32;
export const REQUEST_ID_BYTES = 8;
/** Largest body: what is left of a datagram after header and signature (1,160 bytes). */
export const MAX_BODY_BYTES = MAX_DATAGRAM_BYTES - HEADER_BYTES - SIGNATURE_BYTES;
/** Largest stored value (content or mutable record, file chunk or manifest). */
export const MAX_VALUE_BYTES = DHT_MAX_VALUE_BYTES;
/** Longest name of a mutable record, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 64;
/** Longest file name in a manifest, in UTF-8 bytes (longer names are cut). */
export const MAX_FILE_NAME_BYTES = 64;
/** A NODES answer is split over at most this many datagrams. */
export const MAX_NODES_PARTS = 8;
/**
 * Size a requester that has not proven its address pads FIND_NODE/FIND_VALUE datagrams to, so
 * that a full answer stays within 3× the request (anti-amplification, as QUIC pads its first packet).
 */
export const PADDED_REQUEST_BYTES = 400;
/** An endpoint on the wire: family 1, address 4 or 16, port 2. */
export const MAX_ENDPOINT_BYTES = 1 + 16 + 2;
