export { createAggregator, PERCENTILES } from './aggregator';
export type { Aggregator, AggregatorOptions, ScrapeResult, ScrapeTarget } from './aggregator';
export { DEAD_LETTER_HEADERS, readDeadLetter, readMonitorRecord, readPrediction, UNKNOWN_REASON } from './decode';
export type { SeenDeadLetter, SeenMonitorRecord, SeenPrediction } from './decode';
export type {
  AccuracyRow,
  DriftRow,
  Frame,
  InstanceStatus,
  MonitorStatus,
  PredictionRow,
  ReasonStatus,
  Snapshot,
} from './frame';
export { openKafkaTap } from './kafka-tap';
export type { KafkaTapOptions } from './kafka-tap';
export { openKinesisTap } from './kinesis-tap';
export type { KinesisTapOptions } from './kinesis-tap';
export { parsePromText } from './prom-text';
export type { Sample } from './prom-text';
export { bucketDelta, histogramQuantile } from './quantile';
export type { Bucket } from './quantile';
export { scrapeOnce, startScraper } from './scraper';
export type { ScraperOptions } from './scraper';
export { createFrameHub, registerDashboardRoutes } from './server';
export type { DashboardRoutesOptions, FrameHub } from './server';
export { createDashboardService } from './service';
export type { DashboardService, DashboardServiceOptions } from './service';
export { roleByStream } from './taps';
export type { StreamTap, TapOptions, TapRecord, TapRole, TapStreams } from './taps';
