import { decodeCertificate, decodeHeader, splitBlock } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import type { Bus, Logger } from "@p2pnode/kit";
import { type BlockVerdict, ConsensusSubjects } from "@p2pnode/types";
import { ConsensusRejection, type ValidatorSet, verifyCertificate } from "../consensus/index.js";
import { ChainError, reject } from "../errors.js";
import type { LightChain } from "../light/light-chain.js";
import type { SyncNetwork } from "../sync/sync-manager.js";

const CATCH_UP_BATCH = 32;
const CATCH_UP_TIMEOUT_MS = 20_000;

/**
 * A light node of a dolev-strong network: it takes a header only with the commit certificate of
 * its block, checked against the genesis validator keys — no proof of work, no trust in the peer.
 * Headers come from peers' final blocks (flooded `finalBlock` messages, or fetched from the peer
 * with the most blocks when behind); the bodies are dropped once the header is in.
 */
export class LightFinality {
  private lastSlot = 0;
  private catching: Promise<void> | undefined;

  constructor(
    private readonly m: { light: LightChain; set: ValidatorSet; bus: Bus; net: SyncNetwork; log: Logger },
  ) {
    const last = m.light.lastCertificate();
    if (last) this.lastSlot = decodeCertificate(last, m.set.keys.length).slot;
  }

  /** One final block: its header is kept if it extends ours and its certificate checks out. */
  accept(blockBytes: Uint8Array, certificate: Uint8Array): BlockVerdict {
    const { light } = this.m;
    let header: ReturnType<typeof decodeHeader>;
    try {
      header = decodeHeader(splitBlock(blockBytes).header);
    } catch (err) {
      throw reject("DECODE_FAILED", `block: ${(err as Error).message}`);
    }
    const hash = headerHash(header);
    const hashHex = Buffer.from(hash).toString("hex");
    const at = light.header(header.height);
    if (at?.hashHex === hashHex) return { hash: hashHex, height: header.height, status: "known" };
    if (header.height > light.height + 1) {
      throw reject("MISSED_BLOCK", `block ${header.height} leaves a gap: our headers end at ${light.height}`);
    }
    if (header.height <= light.height || Buffer.from(header.prevHash).toString("hex") !== light.tipHashHex) {
      throw reject("CONFLICTS_WITH_FINAL", `block ${header.height} does not extend our final headers`);
    }
    let slot: number;
    try {
      slot = verifyCertificate(this.m.set, hash, certificate).slot;
    } catch (err) {
      if (!(err instanceof ConsensusRejection)) throw err;
      throw reject("BAD_CERTIFICATE", `certificate: ${err.code}: ${err.message}`, { reason: err.code });
    }
    if (slot <= this.lastSlot) {
      throw reject("BAD_CERTIFICATE", `certificate slot ${slot} is not after ${this.lastSlot}`);
    }
    light.acceptFinal(header, certificate);
    this.lastSlot = slot;
    return { hash: hashHex, height: header.height, status: "connected" };
  }

  /** Fetches final blocks from the peer with the most blocks until we have its height. */
  catchUp(): Promise<void> {
    this.catching ??= this.run().finally(() => {
      this.catching = undefined;
    });
    return this.catching;
  }

  private async run(): Promise<void> {
    const { light, bus, net, log } = this.m;
    const peers = (await net.peers()).sort((a, b) => b.height - a.height);
    const best = peers[0];
    if (!best || best.height <= light.height) return;
    try {
      while (light.height < best.height) {
        const r = await bus.request(
          ConsensusSubjects.finalFetch,
          { peer: best.id, fromHeight: light.height + 1, max: CATCH_UP_BATCH },
          CATCH_UP_TIMEOUT_MS,
        );
        if (r.items.length === 0) return;
        for (const item of r.items) this.accept(item.block, item.certificate);
      }
    } catch (err) {
      if (err instanceof ChainError) net.penalize(best.id, `final blocks: ${err.code}`);
      log.warn({ peer: best.id.slice(0, 16), err: (err as Error).message }, "light catch-up stopped");
    }
  }
}

/** The light service's NATS endpoints in a dolev-strong network. */
export async function serveLightFinality(bus: Bus, final: LightFinality): Promise<void> {
  await bus.serve(ConsensusSubjects.finalSubmit, (req) => final.accept(req.block, req.certificate));
  // A light node neither votes nor checks votes: consensus messages stop at its gateway.
  await bus.serve(ConsensusSubjects.messageSubmit, () => ({
    accepted: false,
    reason: "LIGHT_NODE",
    fault: false,
  }));
  await bus.serve(ConsensusSubjects.finalGet, () => ({ items: [], next: null }));
}
