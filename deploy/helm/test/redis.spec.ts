import { Redis } from 'ioredis';
import { TestRedis, crashLoss, stopAllProcesses } from '@pixel-prompt/testing';
import { type K8sObject, type RenderOptions, find, minimal, parse, render, template, validate } from './support';

/** The in-chart Redis container's arguments. */
function redisArgs(objects: K8sObject[]): string[] {
  return find(objects, 'Deployment', 'pp-redis').spec.template.spec.containers[0].args;
}

/** The rendered arguments but for the port and directory, which a test Redis brings. */
function withoutPlacement(args: string[]): string[] {
  const placement = ['--dir', '--port'];
  return args.filter((_arg, i) => !placement.includes(args[i] ?? '') && !placement.includes(args[i - 1] ?? ''));
}

/** A Redis size (`128mb`) or a Kubernetes quantity (`256Mi`) in MiB. */
function mebibytes(size: string): number {
  const match = /^(\d+)(mb|gb|Mi|Gi)$/.exec(size);
  if (!match) throw new Error(`unexpected size ${size}`);
  return Number(match[1]) * (['gb', 'Gi'].includes(String(match[2])) ? 1024 : 1);
}

describe('in-chart Redis (development)', () => {
  afterAll(() => stopAllProcesses());

  it('keeps job state in an append-only file on a PersistentVolumeClaim with the dev values', () => {
    const dev = render({ files: ['values-dev.yaml'] });
    expect(redisArgs(dev)).toEqual([
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory', '128mb', '--maxmemory-policy', 'noeviction', '--dir', '/data', '--port', '6379',
    ]);
    const pod = find(dev, 'Deployment', 'pp-redis').spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'pp-redis-data' } }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(find(dev, 'PersistentVolumeClaim', 'pp-redis-data').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
    // One pod holds the volume: a rollout stops the old pod before the new one mounts it.
    expect(find(dev, 'Deployment', 'pp-redis').spec.strategy).toEqual({ type: 'Recreate' });
  });

  /** Renders, checks every object against the Kubernetes schemas, and parses. */
  function renderValid(options: RenderOptions): K8sObject[] {
    const result = template(options);
    expect(result.stderr).toBe('');
    expect(validate(result.stdout).errors).toEqual([]);
    return parse(result.stdout);
  }

  it('renders valid objects with a storage class, with fsync every second, and with an emptyDir instead of a claim', () => {
    const withClass = renderValid({ values: { ...minimal, redis: { enabled: true, appendfsync: 'everysec', persistence: { storageClassName: 'gp3', size: '5Gi' } } } });
    expect(find(withClass, 'PersistentVolumeClaim', 'pp-redis-data').spec).toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '5Gi' } } });
    expect(redisArgs(withClass)).toEqual(expect.arrayContaining(['--appendfsync', 'everysec']));

    const ephemeral = renderValid({ values: { ...minimal, redis: { enabled: true, persistence: { enabled: false } } } });
    expect(ephemeral.find((o) => o.kind === 'PersistentVolumeClaim')).toBeUndefined();
    expect(find(ephemeral, 'Deployment', 'pp-redis').spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(redisArgs(ephemeral)).toEqual(expect.arrayContaining(['--appendonly', 'yes']));

  });

  it.each([
    ['fsync never', { appendfsync: 'no' }],
    ['a size that is not a quantity', { persistence: { size: 'big' } }],
    ['an unknown persistence key', { persistence: { enabeld: true } }],
    ['a maxmemory Redis does not read', { maxmemory: '128Mi' }],
  ])('refuses %s', (_what, redis) => {
    const result = template({ values: { ...minimal, redis: { enabled: true, ...redis } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('values don\'t meet the specifications of the schema');
  });

  it('admits only gateway and generation, on the Redis port, and lets Redis connect nowhere', () => {
    const policy = find(render({ files: ['values-dev.yaml'], values: { networkPolicy: { enabled: true, ingress: { namespaces: ['ingress-nginx'] } } } }), 'NetworkPolicy', 'pp-redis').spec;
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.egress).toEqual([]);
    expect(policy.ingress).toHaveLength(1);
    expect(policy.ingress[0].ports).toEqual([{ port: 'redis', protocol: 'TCP' }]);
    const peers: { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown; ipBlock?: unknown }[] = policy.ingress[0].from;
    expect(peers.map((peer) => Object.keys(peer))).toEqual([['podSelector'], ['podSelector']]);
    expect(peers.map((peer) => peer.podSelector?.matchLabels['app.kubernetes.io/component'])).toEqual(['gateway', 'generation']);
    expect(peers.map((peer) => peer.podSelector?.matchLabels['app.kubernetes.io/instance'])).toEqual(['pp', 'pp']);
  });

  it('fills up before the container’s memory limit: at most half of it, for the append-only file’s rewrite', () => {
    const dev = render({ files: ['values-dev.yaml'] });
    const args = redisArgs(dev);
    const maxmemory = mebibytes(String(args[args.indexOf('--maxmemory') + 1]));
    const limit = mebibytes(String(find(dev, 'Deployment', 'pp-redis').spec.template.spec.containers[0].resources.limits.memory));
    expect(maxmemory).toBeGreaterThan(0);
    expect(maxmemory * 2).toBeLessThanOrEqual(limit);
  });

  it('when full, refuses writes and keeps every key, run with the rendered arguments (Bull keeps accepted jobs as keys)', async () => {
    const args = withoutPlacement(redisArgs(render({ files: ['values-dev.yaml'], values: { redis: { maxmemory: '4mb' } } })));
    const redis = await TestRedis.start({ persistence: args });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const value = 'x'.repeat(64 * 1024);
      const stored: string[] = [];
      let refusal: unknown;
      // 4 MiB hold about 60 such keys: 400 writes would be 25 MiB.
      for (let i = 0; i < 400 && refusal === undefined; i++) {
        try {
          await client.set(`job:${i}`, value);
          stored.push(`job:${i}`);
        } catch (error) {
          refusal = error;
        }
      }
      expect(String(refusal)).toContain('OOM command not allowed when used memory > \'maxmemory\'');
      expect(stored.length).toBeGreaterThan(10);
      expect(await client.exists(...stored)).toBe(stored.length);
    } finally {
      client.disconnect();
      await redis.dispose();
    }
  });

  it('keeps every acknowledged write through kill -9 of a Redis running with the rendered arguments', async () => {
    const { acknowledged, lost } = await crashLoss(withoutPlacement(redisArgs(render({ files: ['values-dev.yaml'] }))));
    expect(acknowledged).toBeGreaterThanOrEqual(2000);
    expect(lost).toBe(0);
  });
});
