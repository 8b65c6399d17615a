import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from './errors';
import { parseModelUri, type ModelSource } from './model-uri';

/** The files every model folder holds, wherever it lives. */
const MODEL_FILE = 'model.onnx';
const CARD_FILE = 'model.json';

export interface ModelStoreOptions {
  /** Where fetched models are written (one folder per resolved version). */
  readonly cacheDir: string;
  /** MLflow tracking server for `models:/` and `runs:/` URIs, e.g. `http://127.0.0.1:5000`. */
  readonly mlflowTrackingUri?: string;
  /** S3 (or an S3-compatible server) for `s3://` URIs and for registry versions stored there. */
  readonly s3?: {
    readonly region: string;
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** Per request; a registry that does not answer in time is `MODEL_SOURCE_UNREACHABLE` (retriable). */
  readonly timeoutMs?: number;
}

/** A model URI turned into local files, and the registry identity when it came from one. */
export interface ResolvedModel {
  readonly uri: string;
  /** Local `model.onnx`, its card beside it. */
  readonly path: string;
  /** Registered model name and version when resolved through the registry: stamped on every prediction. */
  readonly registry?: { readonly name: string; readonly version: string };
}

interface ModelVersionInfo {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly run_id?: string;
}

/**
 * Resolves a model URI (a path, `s3://`, `models:/<name>@<alias>`, `models:/<name>/<version>`, `runs:/<id>/<path>`)
 * to a local `model.onnx` with its card, downloading from MLflow's artifact endpoints or S3. Errors name the URI:
 * an unknown alias or version is `MODEL_REGISTRY`, a missing file `MODEL_NOT_FOUND`, a registry or store that does
 * not answer `MODEL_SOURCE_UNREACHABLE` (retriable). The file's checks (sha256, signature) are `createModel`'s.
 *
 * @example
 * const store = createModelStore({ cacheDir: '.cache/models', mlflowTrackingUri: 'http://127.0.0.1:5000' });
 * const resolved = await store.resolve('models:/ride-duration@production');
 * const model = await createModel({ path: resolved.path, registry: resolved.registry });
 */
export function createModelStore(o: ModelStoreOptions) {
  const timeoutMs = o.timeoutMs ?? 30_000;
  let s3: S3Client | undefined;
  const s3Client = () =>
    (s3 ??= new S3Client({
      region: o.s3?.region ?? 'us-east-1',
      ...(o.s3?.endpoint ? { endpoint: o.s3.endpoint, forcePathStyle: true } : {}),
      ...(o.s3?.credentials ? { credentials: o.s3.credentials } : {}),
    }));

  const unreachable = (uri: string, what: string, cause: unknown) =>
    new ModelError('MODEL_SOURCE_UNREACHABLE', `model URI "${uri}": ${what} did not answer: ${errorText(cause)}`, {
      retriable: true,
      cause,
      context: { uri },
    });

  const tracking = (uri: string): string => {
    if (!o.mlflowTrackingUri)
      throw new ModelError('MODEL_URI_INVALID', `model URI "${uri}" needs MLFLOW_TRACKING_URI to be set`, {
        context: { uri },
      });
    return o.mlflowTrackingUri.replace(/\/+$/, '');
  };

  /** GET on MLflow's REST API; a 404/400 answer is the registry saying no, which is not retriable. */
  async function mlflowGet<T>(uri: string, path: string, params: Record<string, string>): Promise<T> {
    const url = `${tracking(uri)}/api/2.0/mlflow/${path}?${new URLSearchParams(params)}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw unreachable(uri, `MLflow at ${tracking(uri)}`, cause);
    }
    const body = (await res.json().catch(() => ({}))) as { message?: string; error_code?: string } & T;
    if (res.status >= 500)
      throw unreachable(uri, `MLflow at ${tracking(uri)}`, `HTTP ${res.status} ${body.message ?? ''}`);
    if (!res.ok)
      throw new ModelError(
        'MODEL_REGISTRY',
        `model URI "${uri}": MLflow answered ${res.status} ${body.error_code ?? ''}: ${body.message ?? 'no message'}`,
        { context: { uri } },
      );
    return body;
  }

  /** Reads one file of an artifact folder, given MLflow's artifact URI of that folder. */
  async function readArtifact(uri: string, folder: string, file: string): Promise<Buffer> {
    const location = `${folder.replace(/\/+$/, '')}/${file}`;
    if (location.startsWith('mlflow-artifacts:/')) {
      const path = location.slice('mlflow-artifacts:'.length).replace(/^\/+/, '');
      const url = `${tracking(uri)}/api/2.0/mlflow-artifacts/artifacts/${path}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        throw unreachable(uri, `MLflow's artifact store at ${tracking(uri)}`, cause);
      }
      if (res.status >= 500) throw unreachable(uri, `MLflow's artifact store`, `HTTP ${res.status} for ${location}`);
      if (!res.ok) throw notFound(uri, location);
      return Buffer.from(await res.arrayBuffer());
    }
    if (location.startsWith('s3://')) {
      const [bucket = '', ...key] = location.slice('s3://'.length).split('/');
      return readS3(uri, bucket, key.join('/'));
    }
    if (location.startsWith('file:')) return readLocal(uri, fileURLToPath(location));
    if (location.startsWith('/')) return readLocal(uri, location);
    throw new ModelError('MODEL_REGISTRY', `model URI "${uri}": unsupported artifact location ${location}`, {
      context: { uri },
    });
  }

  async function readS3(uri: string, bucket: string, key: string): Promise<Buffer> {
    try {
      const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (cause) {
      const name = (cause as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound')
        throw notFound(uri, `s3://${bucket}/${key}`);
      const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 403)
        throw new ModelError('MODEL_NOT_FOUND', `model URI "${uri}": access denied to s3://${bucket}/${key}`, {
          cause,
          context: { uri },
        });
      throw unreachable(uri, `S3${o.s3?.endpoint ? ` at ${o.s3.endpoint}` : ''}`, cause);
    }
  }

  /** Writes the two files into their own folder atomically (a crash never leaves half a model to load). */
  async function store(id: string, onnx: Buffer, card: Buffer): Promise<string> {
    const dir = join(o.cacheDir, id);
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, MODEL_FILE), onnx);
    await writeFile(join(tmp, CARD_FILE), card);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return join(dir, MODEL_FILE);
  }

  async function fromFolder(uri: string, folder: string, id: string): Promise<string> {
    const [onnx, card] = await Promise.all([
      readArtifact(uri, folder, MODEL_FILE),
      readArtifact(uri, folder, CARD_FILE),
    ]);
    return store(id, onnx, card);
  }

  async function runArtifactFolder(uri: string, runId: string, artifactPath: string): Promise<string> {
    const run = await mlflowGet<{ run: { info: { artifact_uri: string } } }>(uri, 'runs/get', { run_id: runId });
    return `${run.run.info.artifact_uri.replace(/\/+$/, '')}/${artifactPath}`;
  }

  /** A registered version's files: its source is a run's folder (`runs:/`) or a folder in an artifact store. */
  async function fromVersion(uri: string, v: ModelVersionInfo): Promise<ResolvedModel> {
    let folder = v.source;
    if (folder.startsWith('runs:/')) {
      const run = parseModelUri(folder);
      if (run.kind !== 'run') throw new ModelError('MODEL_REGISTRY', `model URI "${uri}": bad source ${v.source}`);
      folder = await runArtifactFolder(uri, run.runId, run.artifactPath);
    }
    const path = await fromFolder(uri, folder, `${safe(v.name)}-v${v.version}`);
    return { uri, path, registry: { name: v.name, version: String(v.version) } };
  }

  async function resolveSource(source: ModelSource): Promise<ResolvedModel> {
    const { uri } = source;
    switch (source.kind) {
      case 'path':
        return { uri, path: source.path };
      case 's3': {
        const prefix = source.key.slice(0, source.key.lastIndexOf('/') + 1);
        const [onnx, card] = await Promise.all([
          readS3(uri, source.bucket, source.key),
          readS3(uri, source.bucket, `${prefix}${CARD_FILE}`),
        ]);
        return { uri, path: await store(`s3-${digest(uri)}`, onnx, card) };
      }
      case 'run': {
        const folder = await runArtifactFolder(uri, source.runId, source.artifactPath);
        return { uri, path: await fromFolder(uri, folder, `run-${source.runId}-${digest(source.artifactPath)}`) };
      }
      case 'registry-alias': {
        const { model_version } = await mlflowGet<{ model_version: ModelVersionInfo }>(uri, 'registered-models/alias', {
          name: source.name,
          alias: source.alias,
        });
        return fromVersion(uri, model_version);
      }
      case 'registry-version': {
        const { model_version } = await mlflowGet<{ model_version: ModelVersionInfo }>(uri, 'model-versions/get', {
          name: source.name,
          version: source.version,
        });
        return fromVersion(uri, model_version);
      }
    }
  }

  return {
    /** Parses and resolves a model URI to local files. */
    resolve: (uri: string) => resolveSource(parseModelUri(uri)),
    /**
     * The version an alias points at now, without downloading anything: what a hot-swap poller asks on each tick.
     */
    async aliasVersion(uri: string): Promise<string> {
      const source = parseModelUri(uri);
      if (source.kind !== 'registry-alias')
        throw new ModelError('MODEL_URI_INVALID', `model URI "${uri}" is not models:/<name>@<alias>`, {
          context: { uri },
        });
      const { model_version } = await mlflowGet<{ model_version: ModelVersionInfo }>(uri, 'registered-models/alias', {
        name: source.name,
        alias: source.alias,
      });
      return String(model_version.version);
    },
    close: () => s3?.destroy(),
  };
}
export type ModelStore = ReturnType<typeof createModelStore>;

function notFound(uri: string, location: string) {
  return new ModelError('MODEL_NOT_FOUND', `model URI "${uri}": ${location} not found`, {
    context: { uri, path: location },
  });
}

async function readLocal(uri: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new ModelError('MODEL_NOT_FOUND', `model URI "${uri}": ${path} not found or unreadable`, {
      cause,
      context: { uri, path },
    });
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
