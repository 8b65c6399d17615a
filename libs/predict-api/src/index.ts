export { registerPredictRoute } from './predict-route';
export type { PredictRouteOptions, RouteScorer } from './predict-route';
