export { evaluateFile, regressionMetrics, scoreRides, targetOf } from './score';
export type { EvaluationReport, RegressionMetrics } from './score';
