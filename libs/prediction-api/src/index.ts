export { registerPredictRoute } from './predict-route';
export type { PredictAnswer, PredictRouteOptions, RouteScorer } from './predict-route';
