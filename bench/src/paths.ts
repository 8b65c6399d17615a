import { fileURLToPath } from 'node:url';

/** Repository root, results and the scratch folder of one run (bundles, logs, profiles, the peer's model). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = `${ROOT}bench/results`;
export const TMP_DIR = `${RESULTS_DIR}/tmp`;
export const BUILD_DIR = `${TMP_DIR}/build`;
export const LOG_DIR = `${TMP_DIR}/logs`;
export const PROFILE_DIR = `${TMP_DIR}/profiles`;
export const PYTHON_DIR = `${ROOT}bench/python`;
export const TLC_2024_01 = `${ROOT}data/tlc/green_tripdata_2024-01.parquet`;
export const COURSE_TRAIN_MONTHS = ['2023-01', '2023-02', '2023-03'].map(
  (m) => `${ROOT}data/tlc/green_tripdata_${m}.parquet`,
);
export const KAFKA_LIB = `${ROOT}.cache/kafka/lib`;
export const modelPath = (key: 'duration' | 'tip' | 'duration-baseline') => `${ROOT}models/${key}/model.onnx`;
