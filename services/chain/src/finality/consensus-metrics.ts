import { Counter, Histogram, type Registry } from "prom-client";
import type { DolevStrongStats } from "../consensus/index.js";

/** Prometheus metrics of a dolev-strong node (README "Validators"). */
export class ConsensusMetrics {
  readonly slots: Counter<"outcome">;
  readonly roundsUsed: Histogram;
  readonly finalitySeconds: Histogram;
  readonly rejected: Counter<"reason">;
  readonly evidence: Counter;
  readonly finalBlocks: Counter<"source">;

  constructor(registry: Registry, stats: () => DolevStrongStats | undefined) {
    const registers = [registry];
    this.slots = new Counter({
      name: "consensus_slots_total",
      help: "slots this validator decided, by outcome (decided: a block; bottom: ⊥, no block)",
      labelNames: ["outcome"],
      registers,
    });
    this.roundsUsed = new Histogram({
      name: "consensus_rounds_used",
      help: "round in which a decided slot's value was accepted (0: this validator led it)",
      buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16],
      registers,
    });
    this.finalitySeconds = new Histogram({
      name: "consensus_time_to_finality_seconds",
      help: "slot start to the block's certificate being complete here",
      buckets: [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8],
      registers,
    });
    new Counter({
      name: "consensus_signatures_verified_total",
      help: "Ed25519 signatures this validator's consensus machine verified",
      registers,
      collect() {
        const s = stats();
        if (s) {
          this.reset();
          this.inc(s.signaturesVerified);
        }
      },
    });
    this.rejected = new Counter({
      name: "consensus_messages_rejected_total",
      help: "consensus messages refused, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.evidence = new Counter({
      name: "consensus_evidence_total",
      help: "equivocation evidence verified and stored",
      registers,
    });
    this.finalBlocks = new Counter({
      name: "consensus_final_blocks_total",
      help: "blocks stored with a certificate, by where they came from",
      labelNames: ["source"],
      registers,
    });
  }
}
