import type { P2pMessageOf } from "@p2pnode/codec";
import type { Peer } from "./peer.js";

type Answer = P2pMessageOf<"txProof"> | P2pMessageOf<"account">;

interface Waiting {
  peer: string;
  type: Answer["type"];
  resolve: (a: Answer | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * A light node's questions to full peers (tx proof, account), matched to answers by request id
 * and sender; an answer nobody asked for is unsolicited. Unanswered ones resolve undefined.
 */
export class LightRequests {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor(private readonly timeoutMs: number) {}

  txProof(peer: Peer, txId: Uint8Array): Promise<P2pMessageOf<"txProof"> | undefined> {
    return this.ask(peer, "txProof", (id) => peer.send({ type: "getTxProof", id, txId })) as Promise<
      P2pMessageOf<"txProof"> | undefined
    >;
  }

  account(peer: Peer, address: Uint8Array): Promise<P2pMessageOf<"account"> | undefined> {
    return this.ask(peer, "account", (id) => peer.send({ type: "getAccount", id, address })) as Promise<
      P2pMessageOf<"account"> | undefined
    >;
  }

  /** False when this answer was not asked of this peer. */
  onAnswer(peer: Peer, msg: Answer): boolean {
    const w = this.waiting.get(msg.id);
    if (!w || w.peer !== peer.id || w.type !== msg.type) return false;
    clearTimeout(w.timer);
    this.waiting.delete(msg.id);
    w.resolve(msg);
    return true;
  }

  stop(): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiting.clear();
  }

  private ask(peer: Peer, type: Answer["type"], send: (id: number) => void): Promise<Answer | undefined> {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffff_ffff ? 1 : this.nextId + 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, this.timeoutMs);
      this.waiting.set(id, { peer: peer.id, type, resolve, timer });
      send(id);
    });
  }
}
