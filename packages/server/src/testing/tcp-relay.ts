import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * What a relay does with connections:
 * - `relay`: passes bytes both ways to the target (as if the clients talked to it directly);
 * - `silent`: accepts connections but never answers (a partition, a hung database);
 * - `refuse`: not listening, so connecting is refused (the database is down).
 */
export type RelayMode = "relay" | "silent" | "refuse";

/**
 * A TCP relay on a loopback port in front of a real server (PostgreSQL in the tests), to play the
 * server going silent or down under clients that keep their address. Switching mode cuts every
 * connection open through it, as a crash or a partition would; the port stays the same.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: RelayMode = "refuse";
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = "127.0.0.1",
  ) {}

  currentMode(): RelayMode {
    return this.mode;
  }

  async setMode(mode: RelayMode): Promise<void> {
    await this.stopListening();
    this.mode = mode;
    if (mode === "refuse") return;
    const server = createServer((client) => this.accept(client, mode));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    this.server = server;
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    await this.setMode("refuse");
  }

  private accept(client: Socket, mode: RelayMode): void {
    this.track(client);
    if (mode === "silent") return;
    const upstream = createConnection(this.targetPort, this.targetHost);
    this.track(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
