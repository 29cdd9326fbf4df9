/** pino Logger of the process (see @pixel-prompt/observability). */
export const LOGGER = Symbol('LOGGER');
/** ServiceMetrics of the process: the Prometheus registry and shared metrics. */
export const METRICS = Symbol('METRICS');
/** ReadinessCheck[] consulted by GET /health/ready. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
