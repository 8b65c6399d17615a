/**
 * ridestream's consumer (createKafkaConsumerService, unchanged) serving the course's linear baseline
 * (models/duration-baseline/model.onnx). `createModel` refuses that graph: it takes `pu_do` (string) and
 * `trip_distance` instead of the 14-float `features`. This adapter implements the `Model` interface over the same
 * onnxruntime-node session options and reads the two inputs out of the feature matrix the pipeline already built
 * (index 0 = trip_distance, 2/3 = pickup/drop-off zone, FEATURES.md), so every other step is ridestream's own.
 */
import { FEATURE_SPECS } from '@ridestream/features';
import { modelCardSchema, type Model } from '@ridestream/model';
import { createLogger, loadEnvConfig, runService } from '@ridestream/runtime';
import { createKafkaConsumerService, kafkaConsumerEnvSchema } from '@ridestream/kafka';
import { modelScorer } from '@ridestream/stream-core';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';

const config = loadEnvConfig(
  kafkaConsumerEnvSchema({
    group: 'baseline-consumer',
    outputTopic: 'ride-duration-baseline-predictions',
    modelPath: 'models/duration-baseline/model.onnx',
    httpPort: 9109,
  }),
  process.env,
);

/** The baseline graph as a `Model`: same session options as libs/model (1 intra-op thread, full optimisation). */
async function createBaselineModel(path: string): Promise<Model> {
  const bytes = await readFile(path);
  const card = modelCardSchema.parse(JSON.parse(await readFile(join(dirname(path), 'model.json'), 'utf8')));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  let released: Promise<void> | undefined;
  return {
    info: {
      name: card.registeredModelName,
      version: String(card.version),
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      card,
    },
    async predict(features, rows) {
      const puDo: string[] = new Array(rows);
      const distance = new Float32Array(rows);
      const { names, count } = FEATURE_SPECS.duration;
      const [pu, dOff, dist] = ['pu_location_id', 'do_location_id', 'planned_distance'].map((c) => names.indexOf(c));
      for (let r = 0; r < rows; r++) {
        const o = r * count;
        puDo[r] = `${features[o + pu!]}_${features[o + dOff!]}`;
        distance[r] = features[o + dist!]!;
      }
      const out = await session.run({
        pu_do: new ort.Tensor('string', puDo, [rows, 1]),
        trip_distance: new ort.Tensor('float32', distance, [rows, 1]),
      });
      return out.prediction!.data as Float32Array;
    },
    dispose: () => (released ??= session.release()),
  };
}

const logger = createLogger({ name: 'baseline-consumer', level: config.LOG_LEVEL });
createBaselineModel(config.MODEL_PATH)
  .then((model) =>
    runService(createKafkaConsumerService({ config, scorer: modelScorer('duration', model), logger }), {
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    }),
  )
  .catch((err: unknown) => {
    console.error(`baseline-consumer: cannot start: ${(err as Error).message}`);
    process.exit(1);
  });
