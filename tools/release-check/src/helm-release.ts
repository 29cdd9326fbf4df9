import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as rendered into a release's manifest; only the fields read here are typed. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** What Helm recorded for one revision of a release. */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  /** deployed, failed, pending-upgrade, ... */
  status: string;
  chart: string;
  appVersion: string;
  deployedAt: Date;
  description: string;
  /** The objects the revision applied (hooks are stored apart by Helm and are not among them). */
  objects: ManifestObject[];
}

interface StoredRelease {
  name: string;
  namespace: string;
  version: number;
  manifest?: string;
  info?: { last_deployed?: string; status?: string; description?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
}

/**
 * Helm (3 and 4) keeps each revision in a Secret of type helm.sh/release.v1 labelled owner=helm,
 * name=<release>, version=<revision>: its `release` key is the release as JSON, gzipped and
 * base64-encoded once more on top of the Secret's own base64.
 */
export function decodeReleaseSecret(releaseKey: string): HelmRelease {
  const gzipped = Buffer.from(Buffer.from(releaseKey, 'base64').toString('utf8'), 'base64');
  const stored = JSON.parse(gunzipSync(gzipped).toString('utf8')) as StoredRelease;
  const metadata = stored.chart?.metadata ?? {};
  return {
    name: stored.name,
    namespace: stored.namespace,
    revision: stored.version,
    status: stored.info?.status ?? 'unknown',
    chart: `${metadata.name ?? '?'}-${metadata.version ?? '?'}`,
    appVersion: metadata.appVersion ?? '?',
    deployedAt: new Date(stored.info?.last_deployed ?? 0),
    description: stored.info?.description ?? '',
    objects: parseManifest(stored.manifest ?? ''),
  };
}

export function parseManifest(manifest: string): ManifestObject[] {
  return parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

