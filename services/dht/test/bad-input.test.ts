import {
  encodeFindNode,
  encodeNodes,
  encodePong,
  HEADER_BYTES,
  MAX_DATAGRAM_BYTES,
  MsgType,
} from "@p2pnode/codec/dht";
import { describe, expect, it } from "vitest";
import { signDatagram } from "../src/datagram.js";
import { MemoryNetwork } from "../src/memory-transport.js";
import { createVerifier } from "../src/signing.js";
import { memoryNode, testSigner } from "./helpers.js";

/*
 * Forged, unsigned, truncated and over-size datagrams (and a few more shapes of lying) are dropped
 * and counted by reason, are never answered, and never put anyone in the routing table.
 */

const attacker = { host: "203.0.113.9", port: 7401 };
const reqId = () => Uint8Array.of(1, 2, 3, 4, 5, 6, 7, Math.floor(Math.random() * 256));

function setup() {
  const net = new MemoryNetwork();
  const victim = memoryNode(net, { host: "198.51.100.1", port: 7401 });
  const sent: Uint8Array[] = [];
  const tap = net.attach(attacker);
  tap.onDatagram((d) => sent.push(d));
  return { net, victim, sent };
}

const validPing = (signer = testSigner()) =>
  signDatagram(MsgType.Ping, reqId(), 1, new Uint8Array(0), signer);

const cases: { id: string; reason: string; bytes: () => Uint8Array }[] = [
  {
    id: "forged: signature by another key",
    reason: "bad_signature",
    bytes: () => {
      const a = validPing();
      const b = validPing();
      a.set(b.subarray(b.length - 64), a.length - 64);
      return a;
    },
  },
  {
    id: "forged: a body byte changed after signing",
    reason: "bad_signature",
    bytes: () => {
      const d = signDatagram(MsgType.FindNode, reqId(), 1, encodeFindNode(new Uint8Array(32)), testSigner());
      d[HEADER_BYTES + 3]! ^= 1;
      return d;
    },
  },
  {
    id: "forged: sender key swapped (claims another id)",
    reason: "bad_signature",
    bytes: () => {
      const d = validPing();
      d.set(testSigner().publicKey, 14);
      return d;
    },
  },
  {
    id: "unsigned: zero signature",
    reason: "bad_signature",
    bytes: () => {
      const d = validPing();
      d.fill(0, d.length - 64);
      return d;
    },
  },
  {
    id: "unsigned: signature missing",
    reason: "truncated",
    bytes: () => validPing().subarray(0, HEADER_BYTES),
  },
  {
    id: "truncated: body shorter than its length field",
    reason: "truncated",
    bytes: () => {
      const d = signDatagram(MsgType.FindNode, reqId(), 1, encodeFindNode(new Uint8Array(32)), testSigner());
      return d.subarray(0, d.length - 10);
    },
  },
  { id: "truncated: 10 bytes", reason: "truncated", bytes: () => validPing().subarray(0, 10) },
  { id: "oversize: 1,281 bytes", reason: "oversize", bytes: () => new Uint8Array(MAX_DATAGRAM_BYTES + 1) },
  { id: "oversize: 64 KiB", reason: "oversize", bytes: () => new Uint8Array(65_000).fill(0x50) },
  {
    id: "garbage: wrong magic",
    reason: "bad_magic",
    bytes: () => {
      const d = validPing();
      d[0] = 0;
      return d;
    },
  },
  {
    id: "wrong version",
    reason: "bad_version",
    bytes: () => {
      const d = validPing();
      d[4] = 9;
      return d;
    },
  },
  {
    id: "unknown type",
    reason: "unknown_type",
    bytes: () => {
      const d = validPing();
      d[5] = 77;
      return d;
    },
  },
  {
    id: "trailing bytes after the signature",
    reason: "malformed_body",
    bytes: () => {
      const d = validPing();
      const out = new Uint8Array(d.length + 5);
      out.set(d);
      return out;
    },
  },
  {
    id: "another network's signature",
    reason: "bad_signature",
    bytes: () => validPing(testSigner("some-other-chain")),
  },
  {
    id: "well signed but malformed body (FIND_NODE of 5 bytes)",
    reason: "malformed_body",
    bytes: () => signDatagram(MsgType.FindNode, reqId(), 1, Uint8Array.of(1, 2, 3, 4, 5), testSigner()),
  },
  {
    id: "unsolicited response (NODES nobody asked for)",
    reason: "unsolicited",
    bytes: () => signDatagram(MsgType.Nodes, reqId(), 1, encodeNodes([])[0]!, testSigner()),
  },
  {
    id: "unsolicited PONG",
    reason: "unsolicited",
    bytes: () =>
      signDatagram(
        MsgType.Pong,
        reqId(),
        1,
        encodePong({ observed: attacker, record: new Uint8Array(0) }),
        testSigner(),
      ),
  },
];

describe("bad datagrams are dropped, counted and never enter the table", () => {
  for (const c of cases) {
    it(c.id, async () => {
      const { net, victim, sent } = setup();
      victim.transport.receive(c.bytes(), attacker);
      await net.advance(2_000);
      expect(victim.node.rpc.stats.dropped).toEqual({ [c.reason]: 1 });
      expect(victim.node.table.size).toBe(0);
      expect(sent).toEqual([]);
    });
  }

  it("a replayed request is answered once", async () => {
    const { net, victim, sent } = setup();
    const ping = validPing();
    victim.transport.receive(ping, attacker);
    victim.transport.receive(ping, attacker);
    await net.advance(2_000);
    expect(victim.node.rpc.stats.dropped).toEqual({ replay: 1 });
    // one PONG, plus the victim's own ping-back that would verify the stranger before admitting it
    expect(sent.filter((d) => d[5] === MsgType.Pong)).toHaveLength(1);
  });

  it("a valid request alone never admits the sender: only its answer to our ping does", async () => {
    const { net, victim } = setup();
    victim.transport.receive(validPing(), attacker); // the tap never answers the ping-back
    await net.advance(2_000);
    expect(victim.node.table.size).toBe(0);
    expect(victim.node.rpc.stats.timeouts).toBe(1);
  });

  it("a response from the wrong node or address is refused", async () => {
    const net = new MemoryNetwork();
    const a = memoryNode(net, { host: "198.51.100.1", port: 7401 });
    const b = memoryNode(net, { host: "198.51.100.2", port: 7401 });
    const liar = net.attach(attacker);
    const liarSigner = testSigner();
    // the liar races b's answer with its own, signed by its own key and sent from its own address
    liar.onDatagram(() => undefined);
    const origSend = a.transport.send.bind(a.transport);
    a.transport.send = (to, data) => {
      origSend(to, data);
      if (data[5] === MsgType.Ping) {
        const forged = signDatagram(
          MsgType.Pong,
          data.slice(6, 14),
          1,
          encodePong({ observed: a.endpoint, record: new Uint8Array(0) }),
          liarSigner,
        );
        a.transport.receive(forged, attacker);
      }
    };
    const contact = await net.run(a.node.ping(b.endpoint, b.node.selfIdHex));
    expect(contact?.idHex).toBe(b.node.selfIdHex);
    expect(a.node.rpc.stats.dropped).toEqual({ wrong_sender: 1 });
    expect(a.node.table.size).toBe(1);
  });

  it("a PONG whose record belongs to someone else is refused", async () => {
    const net = new MemoryNetwork();
    const a = memoryNode(net, { host: "198.51.100.1", port: 7401 });
    const b = memoryNode(net, { host: "198.51.100.2", port: 7401 });
    const other = memoryNode(net, { host: "198.51.100.3", port: 7401 });
    // b answers pings with another node's (validly signed) record
    (b.node as unknown as { ownRecord: unknown }).ownRecord = other.node.record;
    const contact = await net.run(a.node.ping(b.endpoint, b.node.selfIdHex));
    expect(contact).toBeUndefined();
    expect(a.node.rpc.stats.dropped).toEqual({ wrong_sender: 1 });
    expect(a.node.table.size).toBe(0);
  });

  it("the verifier refuses keys that are not curve points without throwing", () => {
    const v = createVerifier("x");
    expect(v.verify("datagram", new Uint8Array(32).fill(0xff), new Uint8Array(8), new Uint8Array(64))).toBe(
      false,
    );
    expect(v.verify("datagram", new Uint8Array(31), new Uint8Array(8), new Uint8Array(64))).toBe(false);
  });

  it("a node answers PING from a valid stranger and admits it after its PONG", async () => {
    const net = new MemoryNetwork();
    const a = memoryNode(net, { host: "198.51.100.1", port: 7401 });
    const b = memoryNode(net, { host: "198.51.100.2", port: 7401 });
    await net.run(a.node.ping(b.endpoint));
    await net.advance(2_000);
    expect(a.node.table.get(b.node.selfIdHex)?.record?.nodeIdHex).toBe(b.node.selfIdHex);
    expect(b.node.table.get(a.node.selfIdHex)?.record?.nodeIdHex).toBe(a.node.selfIdHex);
    expect(a.node.rpc.stats.dropped).toEqual({});
  });
});
