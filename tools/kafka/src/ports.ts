import { createServer, type Server } from 'node:net';
import { KafkaToolError } from './errors';

const HOST = '127.0.0.1';

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: HOST, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function boundPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

export async function isPortFree(port: number): Promise<boolean> {
  const server = await listen(port);
  if (!server) return false;
  await close(server);
  return true;
}

export async function assertPortFree(port: number): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new KafkaToolError('PORT_IN_USE', `port 127.0.0.1:${port} is already in use; pick another or omit it`);
  }
}

/**
 * Asks the OS for `count` distinct free loopback ports. All listeners stay open until
 * every port is chosen so the same port cannot come back twice. A process may still
 * grab a port before the broker binds it; the broker then fails with PORT_IN_USE.
 */
export async function pickFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = await listen(0);
      if (!server) throw new Error('could not bind an ephemeral loopback port');
      servers.push(server);
    }
    return servers.map(boundPort);
  } finally {
    await Promise.all(servers.map(close));
  }
}
