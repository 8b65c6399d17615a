/**
 * JSON Schemas for kubeconform, written offline: kubeconform normally downloads them, which cannot happen here (and
 * should not be a CI dependency anywhere). Two sources, both Go modules the toolchain already fetches:
 * - the Kubernetes API's swagger document, turned into one standalone schema per kind (refs inlined), the way
 *   kubeconform's own `openapi2jsonschema.py` does for the kubernetes-json-schema repository;
 * - CRD manifests (KEDA's), whose `openAPIV3Schema` is already a JSON Schema per version.
 * Both are made strict (unknown fields rejected), so a typo'd field fails validation instead of being ignored.
 */
type Json = Record<string, unknown>;

/** kubeconform's file name for a kind: `deployment-apps-v1`, `configmap-v1`, `scaledobject-keda-v1alpha1`. */
export function schemaFileName(kind: string, group: string, version: string): string {
  const g = group === '' ? '' : `-${group.split('.')[0]!.toLowerCase()}`;
  return `${kind.toLowerCase()}${g}-${version.toLowerCase()}.json`;
}

/**
 * Makes every object schema that lists its properties reject others (what `-strict` means for kubeconform), and
 * widens the two string formats Kubernetes also accepts as numbers (int-or-string, quantities), as
 * openapi2jsonschema does.
 */
function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (!node || typeof node !== 'object') return node;
  const s = Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, strictify(v)])) as Json;
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string'] === true) {
    const { type: _t, format: _f, ...rest } = s;
    return { ...rest, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  if (s.properties && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    s.additionalProperties = false;
  }
  return s;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** One standalone, strict schema per kind of the swagger document, keyed by kubeconform's file name. */
export function kubernetesSchemas(swagger: { definitions: Record<string, Json> }): Map<string, Json> {
  const defs = swagger.definitions;
  const inline = (node: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => inline(n, seen));
    if (!node || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string') {
      const name = ref.replace('#/definitions/', '');
      if (name === QUANTITY) return { oneOf: [{ type: 'string' }, { type: 'number' }] };
      // A recursive type (JSONSchemaProps) stops at its second appearance: anything goes below that depth.
      if (seen.includes(name)) return {};
      return inline(defs[name], [...seen, name]);
    }
    return Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, inline(v, seen)]));
  };
  const out = new Map<string, Json>();
  for (const [name, def] of Object.entries(defs)) {
    const gvks = def['x-kubernetes-group-version-kind'] as
      { group: string; version: string; kind: string }[] | undefined;
    for (const gvk of gvks ?? []) {
      const schema = strictify(inline(def, [name])) as Json;
      out.set(schemaFileName(gvk.kind, gvk.group, gvk.version), {
        $schema: 'http://json-schema.org/draft-07/schema#',
        ...schema,
      });
    }
  }
  return out;
}

interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema: Json } }[];
  };
}

/** One strict schema per served version of a CustomResourceDefinition. */
export function crdSchemas(crd: Crd): Map<string, Json> {
  if (crd.kind !== 'CustomResourceDefinition') throw new Error(`not a CRD: ${crd.kind}`);
  const out = new Map<string, Json>();
  for (const v of crd.spec.versions) {
    if (!v.schema) continue;
    out.set(schemaFileName(crd.spec.names.kind, crd.spec.group, v.name), {
      $schema: 'http://json-schema.org/draft-07/schema#',
      description: `${crd.spec.names.kind} ${crd.spec.group}/${v.name}, from its CRD (strict: unknown fields rejected)`,
      ...(strictify(v.schema.openAPIV3Schema) as Json),
    });
  }
  return out;
}
