import { request } from 'node:https';
import { FakeKubernetesApi, type KubeObject, parseLabelSelector } from './fake-kubernetes-api';

const TOKEN = 'contract-token';

const deployment = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'ns', labels } });

/**
 * The fake must answer as the Kubernetes API server documents (API concepts: "Standard API
 * terminology", "List", label and field selectors, `Status` errors), or the release check's tests
 * would pass against a server no cluster runs.
 */
describe('Kubernetes API wire format (contract of the fake API server)', () => {
  let api: FakeKubernetesApi;

  /** One request trusting the fake's certificate, as a kubeconfig's certificate-authority-data makes clients do. */
  function call(method: string, path: string, token = TOKEN): Promise<{ status: number; json(): Promise<unknown> }> {
    return new Promise((resolve, reject) => {
      const req = request(`${api.url}${path}`, { method, ca: api.ca, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(body) as unknown }));
      });
      req.on('error', reject);
      req.end(method === 'POST' ? '{}' : undefined);
    });
  }
  const get = (path: string, token = TOKEN) => call('GET', path, token);

  beforeAll(async () => {
    api = await FakeKubernetesApi.start(TOKEN);
    api.serve([
      deployment('a-gateway', { 'app.kubernetes.io/instance': 'a', 'app.kubernetes.io/component': 'gateway' }),
      deployment('a-web', { 'app.kubernetes.io/instance': 'a', 'app.kubernetes.io/component': 'web' }),
      deployment('b-gateway', { 'app.kubernetes.io/instance': 'b' }),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'elsewhere', namespace: 'other' } },
      { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1', namespace: 'ns' }, type: 'Warning', reason: 'BackOff' },
      { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e2', namespace: 'ns' }, type: 'Normal', reason: 'Pulled' },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'a-gateway', namespace: 'ns' } },
    ]);
  });
  afterAll(() => api.close());

  it('lists a namespace as a <Kind>List of its objects only, built-in items without kind and apiVersion', async () => {
    const res = await get('/apis/apps/v1/namespaces/ns/deployments');
    expect(res.status).toBe(200);
    const list = (await res.json()) as { kind: string; apiVersion: string; metadata: object; items: { metadata: { name: string }; kind?: string }[] };
    expect(list).toMatchObject({ kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: expect.any(String) } });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['a-gateway', 'a-web', 'b-gateway']);
    expect(list.items[0]?.kind).toBeUndefined();
  });

  it.each([
    ['app.kubernetes.io/instance=a', ['a-gateway', 'a-web']],
    ['app.kubernetes.io/instance==a,app.kubernetes.io/component!=web', ['a-gateway']],
    ['app.kubernetes.io/instance in (a,b),!app.kubernetes.io/component', ['b-gateway']],
    ['app.kubernetes.io/component notin (web)', ['a-gateway', 'b-gateway']],
    ['app.kubernetes.io/component', ['a-gateway', 'a-web']],
  ])('filters by labelSelector %s', async (selector, names) => {
    const res = await get(`/apis/apps/v1/namespaces/ns/deployments?labelSelector=${encodeURIComponent(selector)}`);
    const list = (await res.json()) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(names);
  });

  it('reads one object by name; custom resources keep kind and apiVersion', async () => {
    const res = await get('/apis/monitoring.coreos.com/v1/namespaces/ns/servicemonitors/a-gateway');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'ServiceMonitor', apiVersion: 'monitoring.coreos.com/v1', metadata: { name: 'a-gateway' } });
  });

  it.each([
    ['/apis/apps/v1/namespaces/ns/deployments/nope', 'deployments.apps "nope" not found', { name: 'nope', group: 'apps', kind: 'deployments' }],
    ['/api/v1/namespaces/ns/configmaps/nope', 'configmaps "nope" not found', { name: 'nope', group: '', kind: 'configmaps' }],
    ['/apis/monitoring.coreos.com/v1/namespaces/other/servicemonitors/a-gateway', 'servicemonitors.monitoring.coreos.com "a-gateway" not found', { name: 'a-gateway', group: 'monitoring.coreos.com', kind: 'servicemonitors' }],
    ['/apis/example.com/v1/namespaces/ns/widgets', 'the server could not find the requested resource', undefined],
  ])('answers %s with a 404 Status', async (path, message, details) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'NotFound', code: 404, ...(details ? { details } : {}) });
  });

  it('filters events by the fields the server supports and refuses others with 400', async () => {
    const warnings = (await (await get('/apis/events.k8s.io/v1/namespaces/ns/events?fieldSelector=type%3DWarning')).json()) as { items: { reason: string }[] };
    expect(warnings.items.map((e) => e.reason)).toEqual(['BackOff']);
    const refused = await get('/apis/events.k8s.io/v1/namespaces/ns/events?fieldSelector=note%3Dx');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'field label not supported: note', code: 400 });
  });

  it('refuses requests without the bearer token (401) and writes (405), both as Status', async () => {
    const anonymous = await get('/apis/apps/v1/namespaces/ns/deployments', '');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const write = await call('POST', '/apis/apps/v1/namespaces/ns/deployments');
    expect(write.status).toBe(405);
    expect(await write.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
  });

  it('refuses a label selector it cannot parse, as the server does', async () => {
    expect(() => parseLabelSelector('a in b')).toThrow('unable to parse requirement: a in b');
    const res = await get(`/apis/apps/v1/namespaces/ns/deployments?labelSelector=${encodeURIComponent('a in b')}`);
    expect(res.status).toBe(400);
  });
});
