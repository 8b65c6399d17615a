import { readFileSync } from 'node:fs';
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

/** Linux's default ephemeral range, when /proc does not say. */
const DEFAULT_EPHEMERAL: readonly [number, number] = [32768, 60999];
/** The lowest port a broker is given: above the well-known and most registered service ports. */
const LOWEST_LISTEN_PORT = 20000;

/**
 * The ports a long-lived listener may take without competing with clients: below the kernel's ephemeral range
 * (`net.ipv4.ip_local_port_range`, given as its text), from which every outgoing connection's local port is taken.
 * `undefined` when that range leaves no room below it.
 */
export function listenPortRange(ephemeralRangeText: string | undefined): readonly [number, number] | undefined {
  const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(ephemeralRangeText ?? '');
  const low = match ? Number(match[1]) : DEFAULT_EPHEMERAL[0];
  return low - 1 > LOWEST_LISTEN_PORT + 100 ? [LOWEST_LISTEN_PORT, low - 1] : undefined;
}

function readEphemeralRange(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `count` distinct free loopback ports for a broker, chosen below the ephemeral range. A broker that is stopped and
 * started again must get its address back, and a port from the ephemeral range is up for grabs while it is down:
 * any outgoing connection on the box may take it as its local port, and a client retrying 127.0.0.1:P from local
 * port P even connects to itself. Falls back to `pickFreePorts` when the range leaves no room.
 */
export async function pickListenPorts(count: number, random: () => number = Math.random): Promise<number[]> {
  const range = listenPortRange(readEphemeralRange());
  if (!range) return pickFreePorts(count);
  const [low, high] = range;
  const servers: Server[] = [];
  try {
    for (let tries = 0; servers.length < count; tries++) {
      if (tries >= 500) throw new Error(`no ${count} free loopback ports in ${low}-${high} after ${tries} tries`);
      const port = low + Math.floor(random() * (high - low + 1));
      if (servers.some((s) => boundPort(s) === port)) continue;
      const server = await listen(port);
      if (server) servers.push(server);
    }
    return servers.map(boundPort);
  } finally {
    await Promise.all(servers.map(close));
  }
}
