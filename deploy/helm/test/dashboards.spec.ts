import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type K8sObject, chart, minimal, readSource, render, root } from './support';

/**
 * The Grafana dashboards the chart ships as ConfigMaps for Grafana's dashboard sidecar. Whether their
 * queries return data is checked against a real Prometheus in apps/e2e/test/prometheus.spec.ts;
 * helm lint --strict and the Kubernetes schemas check the rendered ConfigMaps in chart.spec.ts
 * (staging and prod enable them, and so does the "everything on" case).
 */

interface Target {
  refId: string;
  expr?: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults: { unit?: string; thresholds?: { steps: { value: number | null }[] } } };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  description?: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: { uid: string } }[] };
}

const names = readdirSync(join(chart, 'files/dashboards'))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort();
const enabled = { ...minimal, metrics: { dashboards: { enabled: true } } };
const isDashboardMap = (o: K8sObject) => o.kind === 'ConfigMap' && o.metadata.name.includes('-dashboard-');

const maps = render({ values: enabled }).filter(isDashboardMap);
/** The dashboards as rendered into their ConfigMaps, by file name. */
const dashboards: Record<string, Dashboard> = Object.fromEntries(
  maps.map((map) => {
    const [key, json] = Object.entries(map.data ?? {})[0] ?? ['', '{}'];
    return [key.replace(/^pixel-prompt-|\.json$/g, ''), JSON.parse(json) as Dashboard];
  }),
);

// Rows are layout without queries; the panels inside a collapsed row are the ones that show data.
const panels = Object.entries(dashboards).flatMap(([name, d]) =>
  d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row').map((p) => [`${name}: ${p.title}`, p] as const),
);

/** Every `datasource` object anywhere in a dashboard, with where it was found. */
function datasources(value: unknown, path = ''): [string, { uid?: string }][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => datasources(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'datasource' && v !== null && typeof v === 'object' ? [[`${path}.${key}`, v as { uid?: string }]] : datasources(v, `${path}.${key}`),
  );
}

describe('Grafana dashboards', () => {
  it('ships the overview, models and runtime dashboards', () => {
    expect(names).toEqual(['models', 'overview', 'runtime']);
  });

  it('renders no dashboards unless enabled', () => {
    expect(render({ values: minimal }).filter(isDashboardMap)).toEqual([]);
  });

  it('renders one ConfigMap per dashboard with the sidecar label and the folder annotation', () => {
    expect(maps.map((m) => m.metadata.name).sort()).toEqual(names.map((n) => `pp-dashboard-${n}`));
    for (const map of maps) {
      expect(map.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/instance': 'pp' });
      expect(map.metadata.annotations).toEqual({ grafana_folder: 'Pixel Prompt' });
      expect(Object.keys(map.data ?? {})).toHaveLength(1);
    }
  });

  it('takes the label, its value and the folder from the values, and leaves out an empty folder', () => {
    const maps = render({ values: { ...minimal, metrics: { dashboards: { enabled: true, label: 'dashboards', labelValue: 'pixel', folder: '' } } } }).filter(
      isDashboardMap,
    );
    expect(maps).toHaveLength(names.length);
    for (const map of maps) {
      expect(map.metadata.labels?.['dashboards']).toBe('pixel');
      expect(map.metadata.labels?.['grafana_dashboard']).toBeUndefined();
      expect(map.metadata.annotations).toBeUndefined();
    }
  });

  it('ships each file unchanged and small enough for a ConfigMap', () => {
    for (const name of names) {
      const source = readSource(`deploy/helm/pixel-prompt/files/dashboards/${name}.json`);
      expect(dashboards[name]).toEqual(JSON.parse(source));
      expect(Buffer.byteLength(source)).toBeLessThan(512 * 1024);
    }
  });

  it('gives each dashboard its own uid, a title, a description and a current schema', () => {
    const all = Object.values(dashboards);
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      expect(d.title).toMatch(/^Pixel Prompt \/ /);
      expect(d.description).toBeTruthy();
      expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    }
  });

  it.each(names)('%s selects its data source, namespace and release through variables', (name) => {
    const variables = dashboards[name]?.templating.list ?? [];
    expect(variables.map((v) => v.name).slice(0, 3)).toEqual(['datasource', 'namespace', 'release']);
    expect(variables[0]).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const v of variables.slice(1)) expect(v).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
  });

  it.each(names)('%s hard-codes no data source', (name) => {
    const found = datasources(dashboards[name]);
    // The only other one is Grafana's own, for the built-in annotations.
    const foreign = found.filter(([, ds]) => ds.uid !== '${datasource}' && ds.uid !== '-- Grafana --');
    expect(foreign).toEqual([]);
    expect(found.length).toBeGreaterThan(0);
  });

  it('gives every panel a unique id within its dashboard', () => {
    for (const d of Object.values(dashboards)) {
      const ids = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it.each(panels)('%s has a description, a unit, thresholds and queries scoped to the release', (_key, panel) => {
    expect(panel.description?.length).toBeGreaterThan(20);
    expect(panel.fieldConfig?.defaults.unit).toBeTruthy();
    expect(panel.fieldConfig?.defaults.thresholds?.steps[0]).toEqual(expect.objectContaining({ value: null }));
    expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) {
      expect(target.expr).toContain('namespace="$namespace"');
      expect(target.expr).toMatch(/\$release/);
    }
  });

  it('names the statuses the gateway answers for a failing gallery as its proxy does, as the docs do', () => {
    // The statuses of the gateway's own answers when the gallery fails (apps/gateway/src/gallery-proxy.ts).
    const answered = [...readSource('apps/gateway/src/gallery-proxy.ts').matchAll(/answerOutage\((5\d\d),/g)].map((m) => String(m[1]));
    expect([...answered].sort()).toEqual(['502', '503', '504']);
    const statuses = (text: string) => [...new Set(text.match(/\b5\d\d\b/g) ?? [])].sort();
    const section = (file: string, heading: string) => readSource(file).split(/^#+ /m).find((s) => s.startsWith(`${heading}\n`)) ?? '';
    const serverErrors = panels.find(([key]) => key === 'overview: Server errors by service and route')?.[1];
    expect(statuses(serverErrors?.description ?? '')).toEqual([...answered].sort());
    expect(statuses(section('docs/DEPLOYMENT.md', 'Gallery routes through the gateway'))).toEqual([...answered].sort());
    // The runbook's section also names 500, the one status that is a bug rather than an outage.
    expect(statuses(section('docs/RUNBOOK.md', 'PixelPromptHighErrorRatio')).filter((s) => s !== '500')).toEqual([...answered].sort());
  });

  it('queries only metrics the services register (or Kubernetes and Prometheus provide)', () => {
    const exprs = panels.flatMap(([, p]) => (p.targets ?? []).map((t) => t.expr ?? ''));
    const used = new Set(exprs.flatMap((e) => e.match(/\bpixel_prompt_\w+/g) ?? []).map((m) => m.replace(/_(bucket|count|sum)$/, '')));
    const sources = ['apps', 'libs']
      .flatMap((top) => readdirSync(join(root, top), { recursive: true, encoding: 'utf8' }).map((file) => join(top, file)))
      .filter((file) => /\/src\/.*(?<!\.spec)\.ts$/.test(file))
      .map(readSource)
      .join('\n');
    const registered = new Set([...sources.matchAll(/name: '(pixel_prompt_\w+)'/g)].map((m) => m[1]));
    expect([...used].filter((m) => !registered.has(m))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });
});
