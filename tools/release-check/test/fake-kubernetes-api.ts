import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Kubernetes object as the API stores it; only the fields the fake reads are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** Field selectors the real API server accepts for this resource, beyond metadata.name/namespace. */
  fields: string[];
}

/** The resource types the release check reads, and the ones a rendered chart holds besides. */
const RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', fields: ['status.phase', 'spec.nodeName'] },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', fields: ['type'] },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', fields: [] },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', fields: [] },
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', fields: [] },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', fields: [] },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', fields: [] },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', fields: [] },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', fields: [] },
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', fields: [] },
  { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', fields: ['type', 'reason', 'regarding.kind', 'regarding.name', 'regarding.namespace', 'reportingController'] },
  { group: 'monitoring.coreos.com', version: 'v1', plural: 'servicemonitors', kind: 'ServiceMonitor', fields: [] },
  { group: 'monitoring.coreos.com', version: 'v1', plural: 'prometheusrules', kind: 'PrometheusRule', fields: [] },
  { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects', kind: 'ScaledObject', fields: [] },
];

/** Built-in kinds' list items carry no kind/apiVersion on the wire; custom resources' do. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'autoscaling', 'policy', 'networking.k8s.io', 'events.k8s.io']);

export interface RecordedRequest {
  method: string;
  path: string;
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** A parsed label selector requirement (the API's equality- and set-based forms). */
type Requirement = { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

export class SelectorError extends Error {}

/** Parses `a=b,c!=d,e in (f,g),!h,i`: commas inside parentheses belong to the value set. */
export function parseLabelSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (set) return { key: String(set[1]), op: set[2] as 'in' | 'notin', values: String(set[3]).split(',').map((v) => v.trim()) };
    const equality = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(part);
    if (equality) return { key: String(equality[1]), op: equality[2] === '!=' ? 'notin' : 'in', values: [String(equality[3])] };
    const exists = /^(!?)([\w./-]+)$/.exec(part);
    if (exists) return { key: String(exists[2]), op: exists[1] ? '!exists' : 'exists' };
    throw new SelectorError(`unable to parse requirement: ${part}`);
  });
}

function matches(labels: Record<string, string> = {}, requirements: Requirement[]): boolean {
  return requirements.every((r) => {
    const value = labels[r.key];
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case '!exists':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}

function fieldValue(object: KubeObject, path: string): string {
  let value: unknown = object;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value === undefined || value === null ? '' : String(value);
}

/**
 * A self-signed certificate for 127.0.0.1, made for one test run: the fake serves TLS as every
 * cluster does, and kubeconfigs trust it through certificate-authority-data.
 */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pp-fake-kube-tls-'));
  try {
    const openssl = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=fake-kubernetes-api',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { encoding: 'utf8' },
    );
    if (openssl.status !== 0) throw new Error(`openssl could not make a certificate (Debian's openssl package; npm test installs it): ${openssl.stderr ?? openssl.error}`);
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A stand-in for the Kubernetes API server on a free loopback port, speaking its REST wire format
 * for the resources the release check reads: GET of one object or a list at
 * /api/v1/namespaces/<ns>/<plural>[/<name>] and /apis/<group>/<version>/namespaces/<ns>/<plural>[/<name>],
 * `<Kind>List` answers, labelSelector and fieldSelector filtering as the server applies them
 * (unsupported fields refused with 400), bearer-token authentication (401), and `Status` objects
 * for every error, over TLS. Tests replace the stored objects to describe a cluster's state.
 */
export class FakeKubernetesApi {
  readonly requests: RecordedRequest[] = [];
  private objects: KubeObject[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** The server's certificate (PEM), which clients must trust as its certificate authority. */
  readonly ca: string;

  private constructor(private readonly token: string) {
    const { key, cert } = selfSignedCertificate();
    this.ca = cert;
    this.server = createServer({ key, cert }, (req, res) => this.answer(req, res));
    this.server.on('secureConnection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(token: string): Promise<FakeKubernetesApi> {
    const fake = new FakeKubernetesApi(token);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Whether the fake has a REST path for the object's kind. */
  static serves(object: KubeObject): boolean {
    return RESOURCES.some((t) => apiVersionOf(t) === object.apiVersion && t.kind === object.kind);
  }

  /** Replaces the cluster's state; requests recorded so far are forgotten. */
  serve(objects: KubeObject[]): void {
    for (const o of objects) if (!FakeKubernetesApi.serves(o)) throw new Error(`the fake does not serve ${o.apiVersion}/${o.kind}`);
    this.objects = structuredClone(objects);
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? '', path: `${url.pathname}${url.search}` });
    if (req.headers.authorization !== `Bearer ${this.token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);

    const path = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const [group, version] = path ? (path[1] ? ['', path[1]] : [String(path[2]), String(path[3])]) : ['', ''];
    const type = path && RESOURCES.find((t) => t.group === group && t.version === version && t.plural === path[5]);
    if (!path || !type) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const namespace = String(path[4]);
    const name = path[6];
    const ofType = this.objects.filter((o) => o.apiVersion === apiVersionOf(type) && o.kind === type.kind && o.metadata.namespace === namespace);

    if (name !== undefined) {
      const found = ofType.find((o) => o.metadata.name === name);
      if (!found) {
        const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
        return status(res, 404, 'NotFound', `${resource} "${name}" not found`, { name, group: type.group, kind: type.plural });
      }
      return json(res, 200, found);
    }

    let items = ofType;
    try {
      const labelSelector = url.searchParams.get('labelSelector');
      if (labelSelector) {
        const requirements = parseLabelSelector(labelSelector);
        items = items.filter((o) => matches(o.metadata.labels, requirements));
      }
      const fieldSelector = url.searchParams.get('fieldSelector');
      for (const term of fieldSelector ? fieldSelector.split(',') : []) {
        const [, field = '', op = '', value = ''] = /^([\w.]+)(==|=|!=)(.*)$/.exec(term) ?? [];
        if (!['metadata.name', 'metadata.namespace', ...type.fields].includes(field)) throw new SelectorError(`field label not supported: ${field || term}`);
        items = items.filter((o) => (fieldValue(o, field) === value) === (op !== '!='));
      }
    } catch (error) {
      if (!(error instanceof SelectorError)) throw error;
      return status(res, 400, 'BadRequest', error.message);
    }
    const wire = BUILT_IN_GROUPS.has(type.group) ? items.map(({ apiVersion: _v, kind: _k, ...rest }) => rest) : items;
    return json(res, 200, { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata: { resourceVersion: '1' }, items: wire });
  }
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** The API's error body (metav1.Status). */
function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, string>): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}
