import { crashLoss, stopAllProcesses } from '@pixel-prompt/testing';
import { type K8sObject, type RenderOptions, find, minimal, parse, render, template, validate } from './support';

/** The in-chart Redis container's arguments. */
function redisArgs(objects: K8sObject[]): string[] {
  return find(objects, 'Deployment', 'pp-redis').spec.template.spec.containers[0].args;
}

describe('in-chart Redis (development)', () => {
  afterAll(() => stopAllProcesses());

  it('keeps job state in an append-only file on a PersistentVolumeClaim with the dev values', () => {
    const dev = render({ files: ['values-dev.yaml'] });
    expect(redisArgs(dev)).toEqual(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', '/data', '--port', '6379']);
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

  it('renders valid objects with a storage class, with fsync always, and with an emptyDir instead of a claim', () => {
    const withClass = renderValid({ values: { ...minimal, redis: { enabled: true, appendfsync: 'always', persistence: { storageClassName: 'gp3', size: '5Gi' } } } });
    expect(find(withClass, 'PersistentVolumeClaim', 'pp-redis-data').spec).toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '5Gi' } } });
    expect(redisArgs(withClass)).toEqual(expect.arrayContaining(['--appendfsync', 'always']));

    const ephemeral = renderValid({ values: { ...minimal, redis: { enabled: true, persistence: { enabled: false } } } });
    expect(ephemeral.find((o) => o.kind === 'PersistentVolumeClaim')).toBeUndefined();
    expect(find(ephemeral, 'Deployment', 'pp-redis').spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(redisArgs(ephemeral)).toEqual(expect.arrayContaining(['--appendonly', 'yes']));

  });

  it.each([
    ['fsync never', { appendfsync: 'no' }],
    ['a size that is not a quantity', { persistence: { size: 'big' } }],
    ['an unknown persistence key', { persistence: { enabeld: true } }],
  ])('refuses %s', (_what, redis) => {
    const result = template({ values: { ...minimal, redis: { enabled: true, ...redis } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('values don\'t meet the specifications of the schema');
  });

  it('keeps every acknowledged write through kill -9 of a Redis running with the rendered arguments', async () => {
    // The chart's arguments as they are, but for the port and directory a test Redis brings.
    const args = redisArgs(render({ files: ['values-dev.yaml'] }));
    const persistence = args.filter((_arg, i) => !['--dir', '--port'].includes(args[i] ?? '') && !['--dir', '--port'].includes(args[i - 1] ?? ''));
    const { acknowledged, lost } = await crashLoss(persistence);
    expect(acknowledged).toBeGreaterThanOrEqual(2000);
    expect(lost).toBe(0);
  });
});
