import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The part of `model.json` (written by the training pipeline) that serving relies on. */
export const modelCardSchema = z.looseObject({
  /** Registered model name in MLflow, e.g. `ride-duration`: the name stamped on every prediction. */
  registeredModelName: z.string().min(1),
  /** Registry version, stamped on every prediction. */
  version: z.union([z.string().min(1), z.int().positive().transform(String)]),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** The feature columns the model was trained on, in order: must equal what `libs/features` computes. */
  featureNames: z.array(z.string()).optional(),
});
export type ModelCard = z.infer<typeof modelCardSchema>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
