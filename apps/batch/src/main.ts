/**
 * batch: the offline deployment mode on the same scoring core as the consumers.
 *   evaluate --model duration|tip --data <TLC parquet>   one JSON line: model, version, rows, rmse, mae
 *   score    --model duration|tip --data <TLC parquet> --out <file.parquet> [--out <file.jsonl>]
 *            one prediction per ride, on the event its kind scores (duration: ride.started, tip: ride.completed)
 */
import { batchPredictions, evaluateFile, scoreRides, writePredictions } from '@ridestream/batch';
import { FEATURE_SPECS, type PredictionKind } from '@ridestream/features';
import { createModel } from '@ridestream/model';
import { cleanTrips, readTlcFile } from '@ridestream/tlc';
import { Command, InvalidArgumentError, Option } from 'commander';
import { basename } from 'node:path';

const kindOption = () => new Option('--model <kind>', 'which model').choices(['duration', 'tip']).makeOptionMandatory();
const loadModel = (kind: PredictionKind, override?: string) =>
  createModel({ path: override ?? `models/${kind}/model.onnx`, features: FEATURE_SPECS[kind], intraOpThreads: 2 });
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a whole number > 0');
  return n;
};

const program = new Command('batch').description('offline scoring with the shipped ONNX models');

program
  .command('evaluate')
  .description('score a TLC file with the training cleaning and print rmse/mae as one JSON line')
  .addOption(kindOption())
  .requiredOption('--data <file>', 'TLC green-taxi parquet file (any year)')
  .option('--model-path <path>', 'ONNX file (default models/<kind>/model.onnx)')
  .action(async (o: { model: PredictionKind; data: string; modelPath?: string }) => {
    const model = await loadModel(o.model, o.modelPath);
    try {
      const r = await evaluateFile({ kind: o.model, model, file: o.data });
      console.log(
        JSON.stringify({
          model: r.model,
          version: r.version,
          rows: r.rows,
          rmse: Number(r.rmse.toFixed(4)),
          mae: Number(r.mae.toFixed(4)),
          data: r.data,
          dropped: r.dropped,
        }),
      );
    } finally {
      await model.dispose();
    }
  });

program
  .command('score')
  .description('score every contract-valid ride of a TLC file and write its predictions (parquet and/or JSON lines)')
  .addOption(kindOption())
  .requiredOption('--data <file>', 'TLC green-taxi parquet file')
  .requiredOption('--out <files...>', 'output files: .parquet (a table) and/or .jsonl (prediction messages)')
  .option('--model-path <path>', 'ONNX file (default models/<kind>/model.onnx)')
  .option('--chunk <n>', 'rows per model call', positive, 8192)
  .action(async (o: { model: PredictionKind; data: string; out: string[]; modelPath?: string; chunk: number }) => {
    const model = await loadModel(o.model, o.modelPath);
    try {
      const prefix = basename(o.data).replace(/^green_tripdata_|\.parquet$/g, '');
      const { rides, dropped } = cleanTrips(await readTlcFile(o.data), 'none', prefix);
      const t0 = performance.now();
      const values = await scoreRides(model, o.model, rides, o.chunk);
      const seconds = (performance.now() - t0) / 1000;
      const predictions = batchPredictions({ kind: o.model, model: model.info, rides, values, scoredAt: new Date() });
      await writePredictions(o.out, predictions);
      console.log(
        JSON.stringify({
          model: model.info.name,
          version: model.info.version,
          rows: rides.length,
          out: o.out,
          scoringSeconds: Number(seconds.toFixed(3)),
          dropped,
        }),
      );
    } finally {
      await model.dispose();
    }
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`batch: ${(err as Error).message}`);
  process.exit(1);
});
