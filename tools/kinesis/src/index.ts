import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startLocalServers } from './servers';

export { ensureRie, RIE_MODULE, RIE_VERSION } from './rie';
export { startLocalServers } from './servers';
export type { LocalServerOptions, LocalServers } from './servers';
export { collectStream, freshStreams, localAwsEnv, streamClient } from './testing';
export type { StreamCollector } from './testing';

export interface EnsureKinesisOptions {
  /** Where KINESIS_ENDPOINT and DYNAMODB_ENDPOINT are read from. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * `child` (default): the servers run in their own Node process, so they do not compete with the code under test
   * for one event loop; `in-process`: cheaper to start, for tools that are the only user.
   */
  readonly mode?: 'child' | 'in-process';
  readonly startTimeoutMs?: number;
}

export interface EnsuredKinesis {
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** True when this call started a server: then `stop()` stops it. */
  readonly started: boolean;
  /** Stops what this call started; a no-op for endpoints given in the environment. Idempotent. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const set = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

/** Runs cli.ts as a child and reads its one-line JSON answer. */
async function startChild(
  timeoutMs: number,
): Promise<{ kinesisEndpoint: string; dynamodbEndpoint: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--exit-with-parent'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local Kinesis did not start within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout }).once('line', (l) => (clearTimeout(timer), resolve(l)));
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`local Kinesis exited with ${code}`))));
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  const endpoints = JSON.parse(line) as { kinesisEndpoint: string; dynamodbEndpoint: string };
  let stopping: Promise<void> | undefined;
  return {
    ...endpoints,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/**
 * A Kinesis (and a DynamoDB for leases) to talk to: KINESIS_ENDPOINT when set, with DYNAMODB_ENDPOINT or else the
 * same endpoint for DynamoDB, and nothing is started; otherwise kinesalite and dynalite on free loopback ports.
 *
 * @example
 * const local = await ensureKinesis();
 * // ... tests against local.kinesisEndpoint ...
 * await local.stop();
 */
export async function ensureKinesis(o: EnsureKinesisOptions = {}): Promise<EnsuredKinesis> {
  const env = o.env ?? process.env;
  const kinesisEndpoint = set(env['KINESIS_ENDPOINT']);
  if (kinesisEndpoint) {
    // One endpoint for both is what LocalStack serves; a separate DynamoDB can still be named.
    const dynamodbEndpoint = set(env['DYNAMODB_ENDPOINT']) ?? kinesisEndpoint;
    return { kinesisEndpoint, dynamodbEndpoint, started: false, stop: async () => {} };
  }
  const local =
    (o.mode ?? 'child') === 'child' ? await startChild(o.startTimeoutMs ?? 30_000) : await startLocalServers();
  return {
    kinesisEndpoint: local.kinesisEndpoint,
    dynamodbEndpoint: local.dynamodbEndpoint,
    started: true,
    stop: () => local.stop(),
  };
}
