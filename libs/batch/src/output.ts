import { makePrediction, type Prediction, type PredictionKind } from '@ridestream/features';
import type { CleanRide } from '@ridestream/tlc';
import { parquetWriteFile } from 'hyparquet-writer';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { scoredEventOf } from './score';

/** The predictions of a batch run, as the consumers would have published them for each ride's scored event. */
export function batchPredictions(o: {
  readonly kind: PredictionKind;
  readonly model: { readonly name: string; readonly version: string };
  readonly rides: readonly CleanRide[];
  readonly values: ArrayLike<number>;
  readonly scoredAt: Date;
}): Prediction[] {
  return o.rides.map((ride, i) =>
    makePrediction({
      kind: o.kind,
      model: o.model,
      event: scoredEventOf(o.kind, ride),
      value: o.values[i]!,
      scoredAt: o.scoredAt,
    }),
  );
}

/** One prediction message per line, exactly as on the prediction streams. */
async function writeJsonLines(path: string, predictions: readonly Prediction[]): Promise<void> {
  const out = createWriteStream(path);
  for (const p of predictions) if (!out.write(JSON.stringify(p) + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/**
 * The course's batch output: a parquet table with one row per scored event (ride id, event id and type, event
 * time, prediction, model name and version, prediction id), snappy-compressed, readable by pandas or DuckDB.
 */
function writePredictionsParquet(path: string, predictions: readonly Prediction[]): void {
  const column = <T>(pick: (p: Prediction) => T) => predictions.map(pick);
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'ride_id', data: column((p) => p.rideId), type: 'STRING' },
      { name: 'event_id', data: column((p) => p.event.id), type: 'STRING' },
      { name: 'event_type', data: column((p) => p.event.type), type: 'STRING' },
      { name: 'event_time', data: column((p) => new Date(p.eventTime)), type: 'TIMESTAMP' },
      { name: 'kind', data: column((p) => p.kind), type: 'STRING' },
      { name: 'prediction', data: column((p) => p.value), type: 'DOUBLE' },
      { name: 'unit', data: column((p) => p.unit), type: 'STRING' },
      { name: 'model_name', data: column((p) => p.model.name), type: 'STRING' },
      { name: 'model_version', data: column((p) => p.model.version), type: 'STRING' },
      { name: 'prediction_id', data: column((p) => p.predictionId), type: 'STRING' },
    ],
  });
}

/** Writes the predictions to each file, by its extension: `.parquet` as a table, anything else as JSON lines. */
export async function writePredictions(paths: readonly string[], predictions: readonly Prediction[]): Promise<void> {
  for (const path of paths) {
    if (path.endsWith('.parquet')) writePredictionsParquet(path, predictions);
    else await writeJsonLines(path, predictions);
  }
}
