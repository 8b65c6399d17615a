export { evaluateFile, regressionMetrics, scoredEventOf, scoreEvents, scoreRides, targetOf } from './score';
export type { EvaluationReport, RegressionMetrics } from './score';
export { batchPredictions, writePredictions } from './output';
