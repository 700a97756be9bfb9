import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Each node in its own network namespace with its own address on a private bridge (no uplink:
 * nothing leaves the machine), so address-diversity rules see real, distinct addresses and
 * faults act on real links: `ip link` cuts, iptables partitions, `tc netem` delay and loss.
 */

function sh(args: string[], input?: string): string {
  return execFileSync(args[0]!, args.slice(1), {
    encoding: "utf8",
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    ...(input === undefined ? {} : { input }),
  });
}
const quiet = (args: string[]) => {
  try {
    sh(args);
  } catch {
    // already gone
  }
};

/** Why namespaces cannot be used here, or undefined when they can. */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  for (const bin of ["/usr/sbin/ip", "/usr/sbin/tc", "/usr/sbin/iptables"]) {
    if (!existsSync(bin) && !existsSync(bin.replace("/usr/sbin", "/sbin"))) return `${bin} not found`;
  }
  const probe = `p2pc-probe-${process.pid}`;
  try {
    sh(["ip", "netns", "add", probe]);
    sh(["ip", "netns", "del", probe]);
  } catch (err) {
    return `ip netns add failed: ${(err as Error).message.split("\n")[0]}`;
  }
  return undefined;
}

export class NamespaceNet {
  readonly bridge: string;
  /** The runner's own address on the bridge (root namespace). */
  readonly hostIp = "10.77.255.254";
  private readonly created: string[] = [];

  constructor(
    private readonly tag: string,
    readonly size: number,
  ) {
    this.bridge = `p2pcbr${tag}`;
  }

  ns(i: number): string {
    return `p2pc-${this.tag}-${i}`;
  }
  ip(i: number): string {
    // One /24 per node inside one /16: the gateway's per-/24 inbound rules see distinct blocks.
    return `10.77.${i + 1}.2`;
  }
  private hostVeth(i: number): string {
    return `p2pc${this.tag}h${i}`;
  }

  up(): void {
    sh(["ip", "link", "add", this.bridge, "type", "bridge"]);
    sh(["ip", "addr", "add", `${this.hostIp}/16`, "dev", this.bridge]);
    sh(["ip", "link", "set", this.bridge, "up"]);
    for (let i = 0; i < this.size; i++) {
      const ns = this.ns(i);
      sh(["ip", "netns", "add", ns]);
      this.created.push(ns);
      sh(["ip", "link", "add", this.hostVeth(i), "type", "veth", "peer", "name", "eth0", "netns", ns]);
      sh(["ip", "link", "set", this.hostVeth(i), "master", this.bridge, "up"]);
      this.inNs(i, ["ip", "addr", "add", `${this.ip(i)}/16`, "dev", "eth0"]);
      this.inNs(i, ["ip", "link", "set", "eth0", "up"]);
      this.inNs(i, ["ip", "link", "set", "lo", "up"]);
    }
  }

  /** The command prefix that runs a program inside node i's namespace. */
  exec(i: number): string[] {
    return ["ip", "netns", "exec", this.ns(i)];
  }

  private inNs(i: number, args: string[]): string {
    return sh([...this.exec(i), ...args]);
  }

  /** Link cut: node i's interface goes down (its peers see silence, not a close). */
  cut(i: number): void {
    this.inNs(i, ["ip", "link", "set", "eth0", "down"]);
  }
  restore(i: number): void {
    this.inNs(i, ["ip", "link", "set", "eth0", "up"]);
  }

  /** Drops all traffic between `side` and every other node, in both directions (Jepsen's way). */
  partition(side: number[]): void {
    const other = Array.from({ length: this.size }, (_, i) => i).filter((i) => !side.includes(i));
    for (const a of side) {
      for (const b of other) {
        this.inNs(a, ["iptables", "-A", "INPUT", "-s", this.ip(b), "-j", "DROP"]);
        this.inNs(a, ["iptables", "-A", "OUTPUT", "-d", this.ip(b), "-j", "DROP"]);
        this.inNs(b, ["iptables", "-A", "INPUT", "-s", this.ip(a), "-j", "DROP"]);
        this.inNs(b, ["iptables", "-A", "OUTPUT", "-d", this.ip(a), "-j", "DROP"]);
      }
    }
  }
  heal(): void {
    for (let i = 0; i < this.size; i++) quiet([...this.exec(i), "iptables", "-F"]);
  }

  /** Why `tc netem` cannot be used (the kernel lacks sch_netem, as in some sandboxes), or undefined. */
  netemUnavailable(): string | undefined {
    try {
      this.inNs(0, ["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]);
      this.inNs(0, ["tc", "qdisc", "del", "dev", "lo", "root"]);
      return undefined;
    } catch (err) {
      return `tc netem unavailable: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split("\n")[0]}`;
    }
  }

  netem(i: number, delayMs: number, lossPct: number): void {
    this.inNs(i, [
      "tc",
      "qdisc",
      "replace",
      "dev",
      "eth0",
      "root",
      "netem",
      "delay",
      `${delayMs}ms`,
      "loss",
      `${lossPct}%`,
    ]);
  }
  clearNetem(i: number): void {
    quiet([...this.exec(i), "tc", "qdisc", "del", "dev", "eth0", "root"]);
  }

  /** Removes every namespace, veth and the bridge this run created. */
  down(): void {
    for (const ns of this.created) quiet(["ip", "netns", "del", ns]);
    for (let i = 0; i < this.size; i++) quiet(["ip", "link", "del", this.hostVeth(i)]);
    quiet(["ip", "link", "del", this.bridge]);
  }
}
