export { evaluateFile, regressionMetrics, scoredEventOf, scoreRides, targetOf } from './score';
export type { EvaluationReport, RegressionMetrics } from './score';
export { batchPredictions, writeJsonLines, writePredictions, writePredictionsParquet } from './output';
