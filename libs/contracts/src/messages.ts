import { CONTRACT_VERSION, durationPredictionSchema, rideEventSchema, tipPredictionSchema } from '@ridestream/features';
import { z } from 'zod';

/**
 * The one mapping from the zod contracts of `@ridestream/features` to the names the published documents use
 * (OpenAPI components, AsyncAPI messages). A contract change in features flows into every document from here;
 * `npm run contracts` regenerates them and the staleness tests say when that was forgotten.
 */
export const CONTRACT_MESSAGES = {
  RideEvent: {
    schema: rideEventSchema,
    title: `Ride event v${CONTRACT_VERSION}`,
    summary: 'A ride event the backend publishes; validated by the producer and by every consumer.',
  },
  DurationPrediction: {
    schema: durationPredictionSchema,
    title: `Duration prediction v${CONTRACT_VERSION}`,
    summary: 'Predicted ride duration in minutes, with the model version that made it.',
  },
  TipPrediction: {
    schema: tipPredictionSchema,
    title: `Tip prediction v${CONTRACT_VERSION}`,
    summary: 'Predicted tip in USD, with the model version that made it.',
  },
} as const;
export type ContractMessageName = keyof typeof CONTRACT_MESSAGES;

/** The version every document carries: the contract's major version. */
export const CONTRACT_DOCUMENT_VERSION = `${CONTRACT_VERSION}.0.0`;

/** Options shared by every JSON Schema written from zod: what a client may send, refinements left out. */
export const JSON_SCHEMA_OPTIONS = { io: 'input', unrepresentable: 'any' } as const;

/**
 * JSON Schemas of `schemas` (name -> zod), referring to each other as `<prefix><name>` where one embeds another.
 * `$schema`/`$id` are dropped: inside an OpenAPI or AsyncAPI document the document's dialect applies.
 */
export function componentSchemas(
  schemas: Readonly<Record<string, z.ZodType>>,
  o: { readonly prefix: string; readonly target: 'draft-2020-12' | 'draft-7' },
): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    ...JSON_SCHEMA_OPTIONS,
    target: o.target,
    uri: (id) => `${o.prefix}${id}`,
  });
  return Object.fromEntries(
    Object.entries(out).map(([id, s]) => {
      const { $schema: _s, $id: _i, ...rest } = s as Record<string, unknown>;
      return [id, rest];
    }),
  );
}
