// Validates rendered Kubernetes manifests (a multi-document YAML stream on stdin) against the
// Kubernetes OpenAPI schemas shipped in kubernetes-models, without a cluster.
// Prints JSON: { validated: [kind/name...], crds: [...], errors: [...] }; exits 1 on any error.
// CRD kinds (ServiceMonitor, ScaledObject) are not in kubernetes-models; they are listed so callers
// can check them by other means, and any other unknown kind is an error.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const KNOWN_CRDS = new Set(['monitoring.coreos.com/v1/ServiceMonitor', 'keda.sh/v1alpha1/ScaledObject']);

const input = readFileSync(0, 'utf8');
const result = { validated: [], crds: [], errors: [] };
for (const doc of parseAllDocuments(input, { uniqueKeys: true })) {
  if (doc.errors.length) {
    result.errors.push(...doc.errors.map((e) => `YAML: ${e.message}`));
    continue;
  }
  const object = doc.toJS();
  if (object === null || object === undefined) continue;
  const { apiVersion, kind } = object;
  const id = `${kind}/${object.metadata?.name}`;
  if (KNOWN_CRDS.has(`${apiVersion}/${kind}`)) {
    result.crds.push(id);
    continue;
  }
  let Model;
  try {
    // Core objects live at kubernetes-models/v1/<Kind>, the others at kubernetes-models/<group>/<version>/<Kind>.
    Model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    Model = undefined;
  }
  if (!Model) {
    result.errors.push(`${id}: unknown apiVersion/kind ${apiVersion}/${kind}`);
    continue;
  }
  try {
    new Model(object).validate();
    result.validated.push(id);
  } catch (error) {
    result.errors.push(`${id}: ${error.message}`);
  }
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exitCode = result.errors.length ? 1 : 0;
