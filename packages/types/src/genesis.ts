import { z } from "zod";

const Address = z.string().regex(/^[0-9a-f]{40}$/, "address: 20 bytes as lowercase hex");
const Amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,30})$/, "amount: a non-negative integer as a decimal string");

/** The genesis file every node of a network shares (DESIGN.md §4). */
export const Genesis = z.object({
  chainId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "chainId: lowercase letters, digits and dashes"),
  /** Milliseconds since the Unix epoch, like block header timestamps. */
  timestamp: z.number().int().nonnegative(),
  allocations: z.array(z.object({ address: Address, balance: Amount })).max(100_000),
  consensus: z.object({
    targetBlockTimeMs: z.number().int().min(100).max(3_600_000),
    /** Initial proof-of-work target as 32-byte big-endian hex; a hash must be ≤ target. */
    initialTarget: z.string().regex(/^[0-9a-f]{64}$/),
    retargetWindow: z.number().int().min(1).max(100_000),
    blockReward: Amount,
  }),
  validators: z.array(z.object({ publicKey: z.string().regex(/^[0-9a-f]{64}$/) })).max(1_000),
});
export type Genesis = z.infer<typeof Genesis>;
