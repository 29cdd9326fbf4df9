/** A service's /metrics exposition, giving up after 10 s as Prometheus does by default. */
export async function scrapeMetrics(serviceUrl: string): Promise<string> {
  return (await fetch(`${serviceUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
}

/** The value of one series (`name{label="value",...}` exactly as exposed), undefined when absent. */
export function metricSample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
