/**
 * Test support: a TCP proxy in front of PostgreSQL that a test can break, to play an unreachable
 * or hung database. Named `*.test-helper.ts` so the runner does not run it and the package does not
 * ship it.
 */
import net from "node:net";

export type ProxyMode = "forward" | "black-hole" | "refuse";

export interface TcpProxy {
  port: number;
  /**
   * `forward`: pass bytes both ways. `black-hole`: connections stay open but nothing passes (a hung
   * server or a partition). `refuse`: every connection is dropped at once (the server is gone).
   */
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "forward";
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const server = net.createServer((client) => {
    if (mode === "refuse") {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk) => {
        if (mode === "forward") to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  return {
    port: address.port,
    setMode(next) {
      mode = next;
      if (next === "refuse") {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
      }
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
