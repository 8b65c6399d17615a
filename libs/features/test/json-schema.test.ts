import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractJsonSchemas } from '../src/index';

const schemasDir = new URL('../schemas/', import.meta.url);

describe('published JSON Schemas', () => {
  it.each(Object.entries(contractJsonSchemas()))(
    'returns %s as committed (run `nx run features:schemas` after a contract change)',
    (file, schema) => {
      const committed = JSON.parse(readFileSync(new URL(file, schemasDir), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    },
  );

  it('returns no committed schema the contract no longer publishes (v1 is retired)', () => {
    expect(readdirSync(schemasDir).sort()).toEqual(Object.keys(contractJsonSchemas()).sort());
  });

  it('returns a ride event schema with one branch per event type, each naming its required fields', () => {
    const s = contractJsonSchemas()['ride-event.v2.schema.json'] as {
      oneOf: { required: string[]; properties: Record<string, { const?: string; minimum?: number }> }[];
    };
    const byType = Object.fromEntries(s.oneOf.map((b) => [b.properties.type?.const, b]));
    expect(Object.keys(byType)).toEqual(['ride.started', 'ride.completed', 'ride.paid']);
    expect(byType['ride.started']?.required).toEqual(
      expect.arrayContaining(['eventId', 'rideId', 'occurredAt', 'puLocationId', 'doLocationId', 'plannedDistance']),
    );
    expect(Object.keys(byType['ride.started']?.properties ?? {})).not.toContain('fareAmount');
    expect(byType['ride.completed']?.required).toEqual(expect.arrayContaining(['startedAt', 'fareAmount']));
    expect(byType['ride.paid']?.required).toEqual(expect.arrayContaining(['tipAmount']));
  });
});
