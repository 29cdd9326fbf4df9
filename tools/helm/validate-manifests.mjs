// Validates rendered Kubernetes manifests (a multi-document YAML stream on stdin) against the
// Kubernetes OpenAPI schemas shipped in kubernetes-models, without a cluster.
// Prints JSON: { validated: [kind/name...], crds: [...], errors: [...] }; exits 1 on any error.
// The Prometheus Operator's kinds (ServiceMonitor, PrometheusRule) are validated with their own
// models; KEDA's ScaledObject has none, so it is listed for callers to check by other means, and
// any other unknown kind is an error.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const KNOWN_CRDS = new Set(['keda.sh/v1alpha1/ScaledObject']);

/** Where the model of a kind lives: the core and API groups in kubernetes-models, CRDs in their own packages. */
function modelModule(apiVersion, kind) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

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
    Model = (await import(modelModule(apiVersion, kind)))[kind];
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
