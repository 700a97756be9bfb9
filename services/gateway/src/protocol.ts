import {
  decodeHeader,
  MAX_ADDRS,
  MAX_HEADERS,
  type P2pMessage,
  type PeerAddress,
  SYNC_ANSWER_BYTES,
  splitBlock,
  toHex,
} from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import { statelessVerdict } from "@p2pnode/rules";
import type { ChainPort, LocalTip } from "./chain-port.js";
import type { LightRequests } from "./light-requests.js";
import type { Peer } from "./peer.js";
import type { Relay } from "./relay.js";
import type { ScoreKind } from "./scoring.js";
import type { SyncRequests } from "./sync-requests.js";
import type { TxIntake } from "./tx-intake.js";

export interface ProtocolModules {
  chain: ChainPort;
  relay: Relay;
  sync: SyncRequests;
  light: LightRequests;
  /** The peer announced a tip; the chain's sync decides whether to fetch. */
  peerTip: (peer: Peer) => void;
  log: Logger;
  chainId: string;
  discovery: boolean;
  tip: () => LocalTip;
  peers: () => Iterable<Peer>;
  penalise: (peer: Peer, kind: ScoreKind, detail: string) => void;
  addCandidate: (host: string, port: number, nodeId: string) => void;
  /** Cheap checks, buckets and batching in front of relay.onTx (tx-intake.ts). */
  txIntake?: TxIntake;
}

/**
 * Dispatch of every message after the handshake (ping/pong are answered in Peer). Each handler
 * validates what it got against what was asked; the rest is scored as misbehaviour.
 */
export class Protocol {
  private readonly addrAnswered = new WeakSet<Peer>();
  /**
   * Devnet-only fault injection for end-to-end tests of the other side's defences: answer
   * get-headers with a run whose second header is altered (its successor no longer links).
   */
  misbehave = { badHeaders: false };
  /** The dolev-strong messages (0x50–0x5f), handled in consensus-relay.ts; true when it took one. */
  consensus?: { handle(peer: Peer, msg: P2pMessage): boolean };

  constructor(private readonly m: ProtocolModules) {}

  onConnected(peer: Peer): void {
    // The tip in our handshake payload was read when our Noise message was written; blocks that
    // came before the peer was registered were announced to everyone else but not to it. Without
    // this status a peer that synced to the payload's tip sat behind until the next block, which
    // on a quiet network never came.
    peer.send(statusOf(this.m.tip()));
    if (this.m.discovery) peer.send({ type: "getAddr" });
    this.tipIfAhead(peer);
  }

  private tipIfAhead(peer: Peer): void {
    if (BigInt(peer.totalWork) > BigInt(this.m.tip().totalWork)) this.m.peerTip(peer);
  }

  handle(peer: Peer, msg: P2pMessage): void {
    const fail = (err: unknown) =>
      this.m.log.warn(
        { peer: peer.id.slice(0, 16), type: msg.type, err: (err as Error).message },
        "handler failed",
      );
    if (this.consensus?.handle(peer, msg)) return;
    switch (msg.type) {
      case "status":
        peer.height = msg.height;
        peer.tipHash = msg.tipHash;
        peer.totalWork = msg.totalWork;
        // A status follows the inv of its block: when that block is on its way (or here) it will
        // bring us level, and a sync round now would only read headers we are about to have.
        if (!this.m.relay.isComing("block", toHex(msg.tipHash))) this.tipIfAhead(peer);
        return;
      case "getAddr": {
        this.answerAddr(peer);
        return;
      }
      case "addr": {
        this.takeAddr(peer, msg.addrs);
        return;
      }
      case "inv": {
        this.m.relay.onInv(peer, msg.items);
        return;
      }
      case "getData":
        return void this.m.relay.onGetData(peer, msg.items).catch(fail);
      case "notFound": {
        this.m.relay.onNotFound(msg.items, peer);
        return;
      }
      case "tx":
        if (this.m.txIntake) return void this.m.txIntake.offer(peer, msg.tx);
        return void this.m.relay.onTx(peer, msg.tx).catch(fail);
      case "block":
        return void this.m.relay.onBlock(peer, msg.block).catch(fail);
      case "getHeaders":
        return void this.answerHeaders(peer, msg.locator, msg.stop, msg.max).catch(fail);
      case "headers":
        if (!this.m.sync.onHeaders(peer, msg.headers))
          this.m.penalise(peer, "UNSOLICITED", "headers without get-headers");
        return;
      case "getBlocks":
        return void this.answerBlocks(peer, msg.hashes).catch(fail);
      case "blocks": {
        this.takeBlocks(peer, msg.blocks);
        return;
      }
      case "validationRequest": {
        const r = statelessVerdict(msg.kind, msg.body, this.m.chainId);
        peer.send({ type: "validationResult", id: msg.id, ok: r.ok, reason: r.reason });
        return;
      }
      case "chainRequest":
        return void this.answerChain(peer, msg.id, msg.fromHeight, msg.max).catch(fail);
      case "getTxProof":
        return void this.answerTxProof(peer, msg.id, msg.txId).catch(fail);
      case "getAccount":
        return void this.answerAccount(peer, msg.id, msg.address).catch(fail);
      case "txProof":
      case "account":
        if (!this.m.light.onAnswer(peer, msg))
          this.m.penalise(peer, "UNSOLICITED", `${msg.type} without a request`);
        return;
      case "validationResult":
      case "chainResponse": // This version never sends the requests these answer.
        {
          this.m.penalise(peer, "UNSOLICITED", `${msg.type} without a request`);
          return;
        }
      case "ping":
      case "pong":
        return;
    }
  }

  /** Our peers' dialable addresses, once per connection (Bitcoin Core answers getaddr once). */
  private answerAddr(peer: Peer): void {
    if (this.addrAnswered.has(peer)) return;
    this.addrAnswered.add(peer);
    const addrs: PeerAddress[] = [];
    for (const p of this.m.peers()) {
      if (p === peer || p.info.listenPort === 0 || addrs.length >= MAX_ADDRS) continue;
      addrs.push({
        host: p.info.ip,
        port: p.info.listenPort,
        nodeId: Buffer.from(p.id, "hex"),
        latencyMs: Math.round(p.latencyMs ?? 0),
      });
    }
    peer.send({ type: "addr", addrs });
  }

  private takeAddr(peer: Peer, addrs: PeerAddress[]): void {
    peer.reportedPeers = addrs.map((a) => ({ id: toHex(a.nodeId), latencyMs: a.latencyMs }));
    for (const a of addrs) {
      // Beyond the token bucket, addresses are dropped silently, as Bitcoin Core does.
      if (!peer.addrBucket.take()) break;
      if (this.m.discovery) this.m.addCandidate(a.host, a.port, toHex(a.nodeId));
    }
  }

  private async answerHeaders(
    peer: Peer,
    locator: Uint8Array[],
    stop: Uint8Array | null,
    max: number,
  ): Promise<void> {
    const headers = await this.m.chain.headers(
      locator.map((h) => toHex(h)),
      stop ? toHex(stop) : undefined,
      Math.max(1, Math.min(max, MAX_HEADERS)),
    );
    if (this.misbehave.badHeaders && headers.length > 2) {
      const bad = new Uint8Array(headers[1]!);
      bad[115] = (bad[115]! + 1) & 0xff; // last byte of the timestamp: a new hash the next header does not name
      headers[1] = bad;
    }
    peer.send({ type: "headers", headers });
  }

  /**
   * A get-blocks answer, cut by bytes into blocks messages of at most SYNC_ANSWER_BYTES of blocks
   * (the size table's room for one P2P message), so max-size blocks go one or two per message.
   */
  private async answerBlocks(peer: Peer, hashes: Uint8Array[]): Promise<void> {
    let batch: Uint8Array[] = [];
    let size = 0;
    for (const h of hashes) {
      const block = await this.m.chain.getBlock(toHex(h)).catch(() => undefined);
      if (!block) continue;
      if (size + block.length > SYNC_ANSWER_BYTES && batch.length > 0) {
        peer.send({ type: "blocks", blocks: batch });
        batch = [];
        size = 0;
      }
      batch.push(block);
      size += block.length;
      peer.known.add(toHex(h));
    }
    if (batch.length > 0) peer.send({ type: "blocks", blocks: batch });
  }

  private takeBlocks(peer: Peer, blocks: Uint8Array[]): void {
    for (const b of blocks) {
      let hex: string;
      try {
        hex = toHex(hashOfBlock(b));
      } catch {
        this.m.penalise(peer, "INVALID_BLOCK", "undecodable block in blocks");
        return;
      }
      // Sync blocks go back to the chain's SyncManager, which applies them in order.
      if (!this.m.sync.onBlock(peer, hex, b))
        this.m.penalise(peer, "UNSOLICITED", `block ${hex.slice(0, 16)} was not asked for`);
    }
  }

  /** A light peer asks where a tx is: our chain's proof, or found=false (a light chain has none). */
  private async answerTxProof(peer: Peer, id: number, txId: Uint8Array): Promise<void> {
    const p = await this.m.chain.txProof?.(toHex(txId)).catch(() => undefined);
    peer.send(
      p
        ? {
            type: "txProof",
            id,
            found: true,
            blockHash: Buffer.from(p.blockHash, "hex"),
            height: p.height,
            index: p.index,
            size: p.size,
            path: p.path.map((h) => Buffer.from(h, "hex")),
          }
        : {
            type: "txProof",
            id,
            found: false,
            blockHash: new Uint8Array(32),
            height: 0,
            index: 0,
            size: 0,
            path: [],
          },
    );
  }

  private async answerAccount(peer: Peer, id: number, address: Uint8Array): Promise<void> {
    const a = await this.m.chain.account?.(toHex(address)).catch(() => undefined);
    peer.send({
      type: "account",
      id,
      height: a?.height ?? 0,
      balance: BigInt(a?.balance ?? 0),
      nonce: a?.nonce ?? 0,
    });
  }

  private async answerChain(peer: Peer, id: number, fromHeight: number, max: number): Promise<void> {
    const tip = this.m.tip();
    // headers.get walks from genesis without a locator; keep the ones at or above fromHeight.
    const all = await this.m.chain.headers(
      [],
      undefined,
      Math.min(MAX_HEADERS, fromHeight + Math.max(1, max)),
    );
    const headers = all.filter((h) => decodeHeader(h).height >= fromHeight).slice(0, max);
    peer.send({ type: "chainResponse", id, height: tip.height, tipHash: tip.hash, headers });
  }
}

/** The block hash from the header bytes alone: no need to decode the transactions here. */
function hashOfBlock(b: Uint8Array): Uint8Array {
  return headerHash(splitBlock(b).header);
}

/** The `status` message that tells a peer our best block (on connect and after each new one). */
export function statusOf(tip: LocalTip): P2pMessage {
  return { type: "status", height: tip.height, tipHash: tip.hash, totalWork: tip.totalWork };
}
