import type { Endpoint } from "./endpoint.js";

/** Where datagrams come from and go to: a UDP socket in the service, an in-memory network in tests. */
export interface DatagramTransport {
  /** The address this transport is bound to. */
  readonly local: Endpoint;
  /** Fire and forget, as UDP is; a send that cannot happen is silently lost. */
  send(to: Endpoint, data: Uint8Array): void;
  onDatagram(handler: (data: Uint8Array, from: Endpoint) => void): void;
  close(): Promise<void>;
}

/** Time as the DHT sees it: the wall clock in the service, virtual time in the simulation. */
export { type Clock, systemClock, type TimerHandle } from "@p2pnode/kit";
