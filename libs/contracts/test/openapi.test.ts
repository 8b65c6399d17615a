import { describe, expect, it } from 'vitest';
import { predictionApiOpenApi, producerOpenApi } from '../src/index';

/** Every `$ref` value anywhere in `node`. */
function refs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refs);
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
  }
  return [];
}

const resolve = (doc: object, ref: string) =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);

describe.each([
  ['producer', producerOpenApi(), '/rides', ['202', '400', '401', '413', '415', '429', '503']],
  ['prediction-api', predictionApiOpenApi(), '/predict', ['200', '400', '413', '415']],
] as const)('the %s OpenAPI document', (_, doc, path, statuses) => {
  it('returns an OpenAPI 3.1 document whose every $ref resolves inside it', () => {
    expect(doc).toMatchObject({ openapi: '3.1.0' });
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(5);
    for (const ref of all) expect(resolve(doc, ref), ref).toBeTypeOf('object');
  });

  it(`returns POST ${path} with a JSON body and every status the service answers`, () => {
    const op = (doc as { paths: Record<string, { post: { requestBody: object; responses: object } }> }).paths[path]!
      .post;
    expect(op.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/RideBatchRequest' } } },
    });
    expect(Object.keys(op.responses).sort()).toEqual([...statuses].sort());
  });

  it('returns component schemas without $schema or $id, which the document dialect sets', () => {
    const schemas = (doc as { components: { schemas: Record<string, object> } }).components.schemas;
    for (const s of Object.values(schemas)) {
      expect(s).not.toHaveProperty('$schema');
      expect(s).not.toHaveProperty('$id');
    }
  });
});
