/**
 * The HTTP load generator, a process of its own so that it does not share an event loop with the producer:
 * autocannon (closed loop, keep-alive connections) posting bodies from BODIES_FILE in turn for DURATION_S seconds.
 * Prints one JSON line: {"event": "result", ...autocannon's result}.
 * autocannon is resolved at run time (createRequire honours NODE_PATH), so the bench bundles without it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { requireEnv } from './env';

interface AutocannonResult {
  latency: Record<string, number>;
  requests: Record<string, number>;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;

const env = requireEnv(process.env, ['URL', 'BODIES_FILE', 'CONNECTIONS', 'DURATION_S'] as const);
const bodies = JSON.parse(readFileSync(env.BODIES_FILE, 'utf8')) as string[];
let autocannon: Autocannon;
try {
  autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
} catch {
  console.log(JSON.stringify({ event: 'unavailable', reason: 'autocannon is not installed' }));
  process.exit(0);
}
let next = 0;
autocannon(
  {
    url: env.URL,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: Number(env.CONNECTIONS),
    duration: Number(env.DURATION_S),
    pipelining: 1,
    timeout: 10,
    requests: [{ setupRequest: (req: object) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
  },
  (err, result) => {
    if (err) {
      console.log(JSON.stringify({ event: 'error', message: err.message }));
      process.exit(1);
    }
    const { latency, requests, duration, errors, timeouts, non2xx } = result;
    console.log(
      JSON.stringify({ event: 'result', latency, requests, duration, errors, timeouts, non2xx, ok: result['2xx'] }),
    );
  },
);
