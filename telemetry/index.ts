/** What sluice tells its operators: structured logs and Prometheus metrics. */
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFields, type LoggerOptions } from './logger.js';
export { Registry, Counter, Gauge, Histogram, type CounterSeries, type Labels } from './metrics.js';
