import { describe, expect, it } from 'vitest';
import { crdSchemas, kubernetesSchemas, schemaFileName } from '../src/schemas';

describe('schemaFileName', () => {
  it.each([
    ['Deployment', 'apps', 'v1', 'deployment-apps-v1.json'],
    ['ConfigMap', '', 'v1', 'configmap-v1.json'],
    ['ScaledObject', 'keda.sh', 'v1alpha1', 'scaledobject-keda-v1alpha1.json'],
    ['PodDisruptionBudget', 'policy', 'v1', 'poddisruptionbudget-policy-v1.json'],
  ])('returns kubeconform’s name for %s %s/%s', (kind, group, version, name) => {
    expect(schemaFileName(kind, group, version)).toBe(name);
  });
});

describe('kubernetesSchemas', () => {
  const swagger = {
    definitions: {
      'io.k8s.api.demo.v1.Thing': {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'demo', version: 'v1', kind: 'Thing' }],
        properties: {
          port: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' },
          size: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' },
          child: { $ref: '#/definitions/io.k8s.api.demo.v1.Node' },
        },
      },
      'io.k8s.api.demo.v1.Node': {
        type: 'object',
        properties: { name: { type: 'string' }, next: { $ref: '#/definitions/io.k8s.api.demo.v1.Node' } },
      },
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
      'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
    },
  };

  it('returns one standalone strict schema per kind, refs inlined, recursion cut, int-or-string widened', () => {
    const schemas = kubernetesSchemas(swagger);
    expect([...schemas.keys()]).toEqual(['thing-demo-v1.json']);
    const s = schemas.get('thing-demo-v1.json') as Record<string, unknown>;
    expect(s).toMatchObject({
      additionalProperties: false,
      properties: {
        port: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        size: { oneOf: [{ type: 'string' }, { type: 'number' }] },
        child: { additionalProperties: false, properties: { name: { type: 'string' }, next: {} } },
      },
    });
    expect(JSON.stringify(s)).not.toContain('$ref');
  });
});

describe('crdSchemas', () => {
  it('returns a strict schema per version, leaving preserve-unknown-fields objects open', () => {
    const crd = {
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'keda.sh',
        names: { kind: 'ScaledObject' },
        versions: [
          {
            name: 'v1alpha1',
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { type: 'object', properties: { a: { type: 'string' } } },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {} },
                },
              },
            },
          },
        ],
      },
    };
    const s = crdSchemas(crd).get('scaledobject-keda-v1alpha1.json');
    expect(s).toMatchObject({ additionalProperties: false, properties: { spec: { additionalProperties: false } } });
    expect((s as { properties: { extra: object } }).properties.extra).not.toHaveProperty('additionalProperties');
  });

  it('fails when given something other than a CRD', () => {
    expect(() => crdSchemas({ kind: 'Deployment' } as never)).toThrow(/not a CRD/);
  });
});
