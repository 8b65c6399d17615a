/**
 * The local model registry: moto's S3 server (the artifact store, and `s3://` model URIs) and a real `mlflow server`
 * (SQLite backend store, artifacts proxied to that S3 bucket), both from `.cache/mlflow-venv` (tools/mlflow/bin/setup).
 * Used by `npm start -- --registry` and by the integration tests that serve models from the registry.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Not tools/dev's freePort: tools/dev (npm start) starts this registry, and a tool may not depend on its caller.
import { pickFreePorts } from '@ridestream/kafka-tool';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const MLFLOW_VENV = join(ROOT, '.cache', 'mlflow-venv');

/** Local S3 has no real credentials; the SDK and the MLflow server both need some. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'ridestream', secretAccessKey: 'ridestream' } as const;
export const LOCAL_S3_REGION = 'us-east-1';

export interface ModelRegistryServers {
  /** S3 endpoint (moto), e.g. http://127.0.0.1:41234. */
  readonly s3Endpoint: string;
  /** The bucket MLflow stores artifacts in (and where `s3://` test models can be put). */
  readonly bucket: string;
  /** MLflow tracking URI, e.g. http://127.0.0.1:41235. */
  readonly trackingUri: string;
  /** Environment for a process that reads models from here (a consumer) or logs to here (training). */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Installs the venv on first use (idempotent, ~1-2 min on a fresh machine). */
export function ensureMlflowVenv(): void {
  const r = spawnSync(join(ROOT, 'tools', 'mlflow', 'bin', 'setup'), { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`tools/mlflow/bin/setup failed (exit ${r.status})`);
}

function startLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Polls `url` until it answers 200, or fails early when the process exits. */
async function waitHttp(url: string, child: ChildProcess, what: string, logFile: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms; see ${logFile}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts moto's S3 server and an MLflow tracking server whose artifacts live in a bucket there, each on a free
 * loopback port, with all state under `dir`.
 *
 * @example
 * const registry = await startModelRegistry({ dir: '.cache/dev/registry' });
 * // MLFLOW_TRACKING_URI=registry.trackingUri, MODEL_URI=models:/ride-duration@production
 * await registry.stop();
 */
export async function startModelRegistry(o: { dir: string; bucket?: string }): Promise<ModelRegistryServers> {
  ensureMlflowVenv();
  mkdirSync(o.dir, { recursive: true });
  const bucket = o.bucket ?? 'ridestream-models';
  const [s3Port, mlflowPort] = (await pickFreePorts(2)) as [number, number];
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  const trackingUri = `http://127.0.0.1:${mlflowPort}`;
  const awsEnv = {
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: LOCAL_S3_REGION,
  };
  const baseEnv = { ...process.env, ...awsEnv };

  const s3Log = join(o.dir, 'moto.log');
  const s3 = startLogged(
    join(MLFLOW_VENV, 'bin', 'moto_server'),
    ['-H', '127.0.0.1', '-p', String(s3Port)],
    baseEnv,
    s3Log,
  );
  const children: ChildProcess[] = [s3];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    await waitHttp(`${s3Endpoint}/`, s3, 'moto S3 server', s3Log);
    const client = new S3Client({
      endpoint: s3Endpoint,
      forcePathStyle: true,
      region: LOCAL_S3_REGION,
      credentials: LOCAL_S3_CREDENTIALS,
    });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();

    const mlflowLog = join(o.dir, 'mlflow.log');
    const mlflow = startLogged(
      join(MLFLOW_VENV, 'bin', 'mlflow'),
      [
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        String(mlflowPort),
        '--backend-store-uri',
        `sqlite:///${resolve(o.dir, 'mlflow.db')}`,
        // Clients upload and download through the server (mlflow-artifacts:/ URIs); only the server talks to S3.
        '--serve-artifacts',
        '--artifacts-destination',
        `s3://${bucket}/mlflow`,
        '--workers',
        '1',
      ],
      { ...baseEnv, MLFLOW_S3_ENDPOINT_URL: s3Endpoint },
      mlflowLog,
    );
    children.push(mlflow);
    // Its first start migrates a fresh SQLite store: 90 s was seen not to be enough on a loaded 2-core box.
    await waitHttp(`${trackingUri}/health`, mlflow, 'mlflow server', mlflowLog, 240_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    s3Endpoint,
    bucket,
    trackingUri,
    env: { ...awsEnv, MLFLOW_TRACKING_URI: trackingUri, S3_ENDPOINT: s3Endpoint, AWS_REGION: LOCAL_S3_REGION },
    stop,
  };
}

export { createMlflowClient, MlflowHttpError, SERVING_ARTIFACT_PATH } from './mlflow-client';
export type { MlflowClient } from './mlflow-client';
