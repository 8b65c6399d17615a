import { Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { CONTRACT_MESSAGES } from '@ridestream/contracts';
import { DLQ_HEADERS } from '@ridestream/stream-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { asyncApiDocument, streamNames } from '../src/asyncapi';
import { loadAppConfigSchemas } from '../src/deploy-doc';
import { REPO_ROOT } from '../src/documents';

// Spectral severities: 0 error, 1 warning (2 information, 3 hint are advice).
const problems = (diagnostics: Diagnostic[]) =>
  diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);

describe('the AsyncAPI document', () => {
  const parser = new Parser();
  let raw: Record<string, unknown>;
  let doc: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    raw = asyncApiDocument(streamNames(await loadAppConfigSchemas(REPO_ROOT))) as Record<string, unknown>;
    const { document, diagnostics } = await parser.parse(JSON.stringify(raw));
    expect(problems(diagnostics)).toEqual([]);
    doc = document!;
  });

  it('returns a channel per topic, named as the apps default them', () => {
    expect(
      doc
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(['ride-duration-predictions', 'rides', 'rides.dlq', 'tip-predictions']);
  });

  it('returns every contract message with rideId as its Kafka key', () => {
    for (const name of Object.keys(CONTRACT_MESSAGES)) {
      const message = doc.messages().get(name);
      // An object, or a union of objects once a contract has several event types.
      const payload = message?.payload()?.json() as { type?: string; oneOf?: unknown[]; anyOf?: unknown[] };
      expect(payload.type === 'object' || Array.isArray(payload.oneOf ?? payload.anyOf), name).toBe(true);
      expect(message?.bindings().get('kafka')?.value()).toMatchObject({
        key: { type: 'string', description: expect.stringContaining('rideId') },
      });
    }
  });

  it('returns the dead letter with every header a consumer writes', () => {
    const headers = doc.messages().get('DeadLetter')?.headers();
    expect(Object.keys(headers?.properties() ?? {}).sort()).toEqual(Object.values(DLQ_HEADERS).sort());
    expect(doc.channels().get('ridesDlq')?.messages().all()[0]?.id()).toBe('DeadLetter');
  });

  it('returns each consumer receiving rides in its own group', () => {
    const groups = doc
      .operations()
      .all()
      .filter((o) => o.action() === 'receive')
      .map((o) => (o.bindings().get('kafka')?.value() as { groupId: { enum: string[] } }).groupId.enum[0]);
    expect(groups.sort()).toEqual(['duration-consumer', 'tip-consumer']);
  });

  it('fails when an operation points at a channel that does not exist', async () => {
    const broken = structuredClone(raw) as { operations: Record<string, { channel: { $ref: string } }> };
    broken.operations.publishRides!.channel.$ref = '#/channels/nowhere';
    const { diagnostics } = await parser.parse(JSON.stringify(broken));
    expect(problems(diagnostics).join('\n')).toMatch(/nowhere|channel/i);
  });
});
