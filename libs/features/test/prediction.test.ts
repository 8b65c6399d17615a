import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makePrediction, predictionSchema, predictionSerializer, type RideEvent } from '../src/index';
import { aCompleted, aStarted } from '../src/testing';

const golden = readFileSync(new URL('./fixtures/golden-features.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { events: { started: RideEvent } }).events.started);

describe('predictionSerializer', () => {
  const scoredAt = new Date('2024-01-15T13:30:00.123Z');

  it('returns the text of JSON.stringify(makePrediction(...)) for every golden ride', () => {
    const model = { name: 'ride-duration', version: '12' };
    const toJson = predictionSerializer('duration', model, scoredAt);
    golden.forEach((event, i) => {
      const value = i === 0 ? 0 : i * 0.37 - 100;
      expect(toJson(event, value)).toBe(
        JSON.stringify(makePrediction({ kind: 'duration', model, event, value, scoredAt })),
      );
    });
  });

  it('returns the same text for a tip, and escapes a model name that needs it', () => {
    const model = { name: 'tip "v2" \\ ü', version: 'sha:1\n' };
    const event = aCompleted('r-9');
    const text = predictionSerializer('tip', model, scoredAt)(event, 1.25);
    expect(text).toBe(JSON.stringify(makePrediction({ kind: 'tip', model, event, value: 1.25, scoredAt })));
    expect(predictionSchema.parse(JSON.parse(text))).toMatchObject({ kind: 'tip', model, value: 1.25 });
  });

  it('returns a different prediction id for another event or model version', () => {
    const a = JSON.parse(predictionSerializer('duration', { name: 'm', version: '1' }, scoredAt)(aStarted('a'), 1));
    const b = JSON.parse(predictionSerializer('duration', { name: 'm', version: '1' }, scoredAt)(aStarted('b'), 1));
    const c = JSON.parse(predictionSerializer('duration', { name: 'm', version: '2' }, scoredAt)(aStarted('a'), 1));
    expect(new Set([a.predictionId, b.predictionId, c.predictionId]).size).toBe(3);
  });
});
