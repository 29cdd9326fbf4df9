import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The monorepo root: the nearest folder above this file holding nx.json. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/**
 * What `helm template --api-versions` pretends a cluster serves when there is none: the custom
 * resources the chart can render (deploy/helm/crd-api-versions.yaml), as tools/deploy/deploy.sh renders.
 */
export function crdApiVersions(): string[] {
  return parseYaml(readFileSync(join(workspaceRoot(), 'deploy/helm/crd-api-versions.yaml'), 'utf8')) as string[];
}
