// What the benchmarks share: percentiles of a sample, and a load run summarised the same way.
import autocannon from 'autocannon';

/** The p-th percentile (nearest rank) of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs autocannon with `options` (url, connections, duration, ...) and keeps what the docs report. */
export async function load(options) {
  const result = await autocannon(options);
  return {
    connections: options.connections,
    duration: options.duration,
    requestsPerSecond: result.requests.average,
    megabytesPerSecond: result.throughput.average / 1024 / 1024,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    other: result.non2xx + result.errors + result.timeouts,
  };
}
