import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';

/** kinesalite and dynalite are CommonJS without types: each returns a plain `http.Server`. */
type ServerFactory = (options: Record<string, unknown>) => Server;
const require = createRequire(import.meta.url);

export interface LocalServers {
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  stop(): Promise<void>;
}

export interface LocalServerOptions {
  readonly host?: string;
  /** 0 (default) = any free port. */
  readonly kinesisPort?: number;
  readonly dynamodbPort?: number;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts kinesalite (Kinesis) and dynalite (DynamoDB, for the lease table) in this process, in memory, on loopback.
 * Streams and tables become ACTIVE at once (no 500 ms CREATING state), and the shard limit is raised because every
 * test makes its own streams.
 */
export async function startLocalServers(o: LocalServerOptions = {}): Promise<LocalServers> {
  const host = o.host ?? '127.0.0.1';
  const kinesalite = require('kinesalite') as ServerFactory;
  const dynalite = require('dynalite') as ServerFactory;
  const kinesis = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10_000 });
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const servers = [kinesis, dynamo];
  try {
    const kinesisPort = await listen(kinesis, o.kinesisPort ?? 0, host);
    const dynamodbPort = await listen(dynamo, o.dynamodbPort ?? 0, host);
    return {
      kinesisEndpoint: `http://${host}:${kinesisPort}`,
      dynamodbEndpoint: `http://${host}:${dynamodbPort}`,
      stop: async () => {
        const closing = servers.filter((s) => s.listening).map(close);
        // Idle keep-alive sockets of SDK clients would otherwise hold close() open until they time out.
        for (const s of servers) (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        await Promise.all(closing);
      },
    };
  } catch (err) {
    await Promise.all(servers.filter((s) => s.listening).map(close));
    throw err;
  }
}
