import { ModelError } from './errors';

/**
 * Where a model comes from. Every remote form ends as a folder holding `model.onnx` and its card `model.json`:
 * the card travels with the weights so that the sha256 and feature checks are the same wherever the file was read.
 */
export type ModelSource =
  /** A local `model.onnx` (its card beside it): the shipped models and today's default. */
  | { readonly kind: 'path'; readonly uri: string; readonly path: string }
  /** `s3://bucket/prefix/model.onnx`: the card is `model.json` under the same prefix. */
  | { readonly kind: 's3'; readonly uri: string; readonly bucket: string; readonly key: string }
  /** `models:/<name>@<alias>`: the version the alias points at now (followed by hot swap). */
  | { readonly kind: 'registry-alias'; readonly uri: string; readonly name: string; readonly alias: string }
  /** `models:/<name>/<version>`: one fixed registered version. */
  | { readonly kind: 'registry-version'; readonly uri: string; readonly name: string; readonly version: string }
  /** `runs:/<run id>/<artifact path>`: the folder of a run's artifacts that holds model.onnx and model.json. */
  | { readonly kind: 'run'; readonly uri: string; readonly runId: string; readonly artifactPath: string };

const invalid = (uri: string, why: string) =>
  new ModelError('MODEL_URI_INVALID', `model URI "${uri}": ${why}`, { context: { uri } });

// MLflow's own rules: registered model names may hold most characters but not '/' or '@' here, since those split
// the URI; run ids are 32 hex characters.
const NAME = /^[^/@\s]+$/;
const VERSION = /^[1-9][0-9]*$/;
const ALIAS = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * Parses `MODEL_URI`. Never reaches the network: a malformed URI stops startup before anything is fetched.
 *
 * @example
 * parseModelUri('models:/ride-duration@production'); // { kind: 'registry-alias', name: 'ride-duration', alias: 'production' }
 */
export function parseModelUri(uri: string): ModelSource {
  if (uri.startsWith('models:/')) {
    const rest = uri.slice('models:/'.length);
    const at = rest.indexOf('@');
    if (at >= 0) {
      const name = rest.slice(0, at);
      const alias = rest.slice(at + 1);
      if (!NAME.test(name)) throw invalid(uri, 'the registered model name is empty or holds "/", "@" or spaces');
      if (!ALIAS.test(alias)) throw invalid(uri, `"${alias}" is not a valid alias`);
      return { kind: 'registry-alias', uri, name, alias };
    }
    const slash = rest.lastIndexOf('/');
    const name = rest.slice(0, slash);
    const version = rest.slice(slash + 1);
    if (slash < 0 || !NAME.test(name))
      throw invalid(uri, 'expected models:/<name>@<alias> or models:/<name>/<version>');
    if (!VERSION.test(version)) throw invalid(uri, `"${version}" is not a version number`);
    return { kind: 'registry-version', uri, name, version };
  }
  if (uri.startsWith('runs:/')) {
    const [runId = '', ...path] = uri.slice('runs:/'.length).split('/');
    if (!RUN_ID.test(runId)) throw invalid(uri, `"${runId}" is not an MLflow run id (32 hex characters)`);
    const artifactPath = path.filter(Boolean).join('/');
    if (!artifactPath) throw invalid(uri, 'expected runs:/<run id>/<artifact path>');
    return { kind: 'run', uri, runId, artifactPath };
  }
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = rest.slice(0, slash);
    const key = rest.slice(slash + 1);
    if (slash <= 0 || !key) throw invalid(uri, 'expected s3://<bucket>/<key of model.onnx>');
    if (!key.endsWith('.onnx'))
      throw invalid(uri, 'the key must name the .onnx file (its card model.json sits beside it)');
    return { kind: 's3', uri, bucket, key };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri))
    throw invalid(uri, 'unsupported scheme (use a path, s3://, models:/ or runs:/)');
  if (!uri) throw invalid(uri, 'empty');
  return { kind: 'path', uri, path: uri };
}
