import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractJsonSchemas } from '../src/index';

describe('published JSON Schemas', () => {
  it.each(Object.entries(contractJsonSchemas()))(
    'returns %s as committed (run `nx run features:schemas` after a contract change)',
    (file, schema) => {
      const committed = JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    },
  );

  it('returns a ride event schema that names every required field and the zone range', () => {
    const s = contractJsonSchemas()['ride-event.v1.schema.json'] as {
      required: string[];
      properties: Record<string, { minimum?: number; maximum?: number }>;
    };
    expect(s.required).toEqual(
      expect.arrayContaining(['rideId', 'pickupAt', 'puLocationId', 'doLocationId', 'tripDistance', 'fareAmount']),
    );
    expect(s.properties.puLocationId).toMatchObject({ minimum: 1, maximum: 265 });
  });
});
