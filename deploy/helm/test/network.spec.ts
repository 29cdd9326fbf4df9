import { BlockList, isIPv6 } from 'node:net';
import { type K8sObject, find, minimal, ofKind, render, template } from './support';

/** The NetworkPolicies: who may reach each component, and where each may connect (default deny). */

interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: { matchLabels: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };
}
interface Rule {
  ports?: { port: number | string; protocol?: string }[];
  to?: Peer[];
  from?: Peer[];
}

/** The instance metadata endpoints (IPv4, and IPv6 on Nitro instances): node credentials, bypassing IRSA. */
const METADATA = ['169.254.169.254', 'fd00:ec2::254'];

/** Whether an ipBlock admits an address: inside its CIDR and outside every exception. */
function admits({ cidr, except = [] }: { cidr: string; except?: string[] }, address: string): boolean {
  const family = isIPv6(address) ? 'ipv6' : 'ipv4';
  const inside = (block: string) => {
    const [network, prefix] = block.split('/');
    if (isIPv6(network ?? '') !== (family === 'ipv6')) return false;
    const list = new BlockList();
    list.addSubnet(network ?? '', Number(prefix), family);
    return list.check(address, family);
  };
  return inside(cidr) && !except.some(inside);
}

const policy = (objects: K8sObject[], component: string) => find(objects, 'NetworkPolicy', `pp-${component}`).spec;
const egress = (objects: K8sObject[], component: string): Rule[] => policy(objects, component).egress;
const ingressPeers = (objects: K8sObject[], component: string): Peer[] => policy(objects, component).ingress.flatMap((r: Rule) => r.from ?? []);
const component = (peer: Peer) => peer.podSelector?.matchLabels['app.kubernetes.io/component'];
const portsTo = (rules: Rule[], match: (peer: Peer) => boolean) =>
  rules.filter((r) => (r.to ?? []).some(match)).flatMap((r) => (r.ports ?? []).map((p) => `${p.port}/${p.protocol}`)).sort();

describe.each(['values-prod.yaml', 'values-staging.yaml'])('NetworkPolicies with %s', (file) => {
  const objects = render({ files: [file] });
  const policies = ofKind(objects, 'NetworkPolicy');

  it('restrict egress as well as ingress for every component', () => {
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['pp-gallery', 'pp-gateway', 'pp-generation', 'pp-web']);
    for (const p of policies) expect({ name: p.metadata.name, types: p.spec.policyTypes }).toEqual({ name: p.metadata.name, types: ['Ingress', 'Egress'] });
  });

  it('let no pod reach the instance metadata endpoint', () => {
    for (const p of policies) {
      for (const peer of (p.spec.egress as Rule[]).flatMap((r) => r.to ?? [])) {
        if (!peer.ipBlock) continue;
        for (const address of METADATA) expect({ name: p.metadata.name, peer, address, admitted: admits(peer.ipBlock, address) }).toMatchObject({ admitted: false });
      }
      // A rule without `to` admits every destination.
      for (const rule of p.spec.egress as Rule[]) expect(rule.to).toBeDefined();
    }
  });

  it('let each service reach only DNS and what it calls', () => {
    const dns = (peer: Peer) => peer.podSelector?.matchLabels['k8s-app'] === 'kube-dns';
    const anywhere = (peer: Peer) => peer.ipBlock?.cidr === '0.0.0.0/0';
    const redis = (peer: Peer) => peer.ipBlock !== undefined && peer.ipBlock.cidr !== '0.0.0.0/0' && peer.ipBlock.cidr !== '::/0';
    for (const name of ['gateway', 'generation', 'gallery']) expect(portsTo(egress(objects, name), dns)).toEqual(['53/TCP', '53/UDP']);
    expect(portsTo(egress(objects, 'gateway'), redis)).toEqual(['6379/TCP']);
    expect(portsTo(egress(objects, 'generation'), redis)).toEqual(['6379/TCP']);
    expect(portsTo(egress(objects, 'gallery'), redis)).toEqual([]);
    expect(portsTo(egress(objects, 'gateway'), (peer) => component(peer) === 'gallery')).toEqual(['3002/TCP']);
    for (const name of ['gateway', 'generation', 'gallery']) expect(portsTo(egress(objects, name), anywhere)).toEqual(['443/TCP']);
    expect(egress(objects, 'web')).toEqual([]);
  });

  it('admit the load balancer only from the configured CIDRs, and the helm test pod', () => {
    for (const name of ['gateway', 'web']) {
      const peers = ingressPeers(objects, name);
      const cidrs = peers.flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr] : []));
      expect(cidrs).toHaveLength(1);
      expect(cidrs[0]).toMatch(/^10\.\d+\.0\.0\/16$/);
      expect(peers.map(component).filter(Boolean)).toEqual(['smoke-test']);
    }
    expect(ingressPeers(objects, 'gallery').map(component).filter(Boolean)).toEqual(['gateway']);
  });
});

describe('NetworkPolicy settings', () => {
  it('scrape from the namespaces and pod labels configured, both required', () => {
    const objects = render({ values: { ...minimal, networkPolicy: { metrics: { namespaces: ['observability', 'monitoring'], podLabels: { app: 'prom' } } } } });
    for (const name of ['gateway', 'generation', 'gallery']) {
      expect(ingressPeers(objects, name)).toContainEqual({
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['observability', 'monitoring'] }] },
        podSelector: { matchLabels: { app: 'prom' } },
      });
    }
    expect(ingressPeers(objects, 'web').filter((p) => p.namespaceSelector)).toEqual([]);
  });

  it('admit an in-cluster ingress controller by namespace', () => {
    const objects = render({ values: { ...minimal, ingress: { enabled: true, className: 'nginx' }, networkPolicy: { ingress: { namespaces: ['ingress-nginx'] } } } });
    expect(ingressPeers(objects, 'gateway')).toContainEqual({
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ingress-nginx'] }] },
    });
  });

  it('refuse an Ingress nothing may reach', () => {
    const result = template({ values: { ...minimal, ingress: { enabled: true } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('networkPolicy.ingress: set cidrs');
  });

  it('reach the in-chart Redis by its pods, and an S3 endpoint on its own port', () => {
    const objects = render({ values: { ...minimal, s3: { bucket: 'pixel-prompt-test', endpoint: 'http://minio.minio:9000' } } });
    expect(portsTo(egress(objects, 'generation'), (peer) => component(peer) === 'redis')).toEqual(['6379/TCP']);
    expect(portsTo(egress(objects, 'gallery'), (peer) => peer.ipBlock?.cidr === '0.0.0.0/0')).toEqual(['443/TCP', '9000/TCP']);
  });

  it('check the metadata exclusion itself, so the test above can fail', () => {
    expect(admits({ cidr: '0.0.0.0/0' }, '169.254.169.254')).toBe(true);
    expect(admits({ cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] }, '169.254.169.254')).toBe(false);
    expect(admits({ cidr: '::/0' }, 'fd00:ec2::254')).toBe(true);
    expect(admits({ cidr: '10.0.0.0/8' }, '169.254.169.254')).toBe(false);
  });
});
