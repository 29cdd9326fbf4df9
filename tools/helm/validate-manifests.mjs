// Validates rendered Kubernetes manifests (a multi-document YAML stream on stdin) without a cluster:
// each object against its kind's OpenAPI schema (kubernetes-models for the built-in kinds, its
// Prometheus Operator and KEDA packages for ServiceMonitor, PrometheusRule and ScaledObject, and
// tools/helm/models for the k6-operator's TestRun, which no package models), and
// strictly: a field the kind does not have (`maxSurg`, `limts`) is an error, as with
// `kubectl apply --validate=strict`. The schemas leave unknown fields alone, so the field names come
// from the same packages' type declarations, read with the TypeScript compiler.
// Prints JSON: { validated: [kind/name...], errors: [...] }; exits 1 on any error.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/** Where the model of a kind lives: the core and API groups in kubernetes-models, CRDs in their own packages or here. */
function modelModule(apiVersion, kind) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  if (apiVersion.startsWith('k6.io/')) return `./models/${apiVersion}/${kind}.mjs`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** The module's file, or undefined for a kind no package models. */
function modelFile(apiVersion, kind) {
  try {
    // A package's exports map refuses a kind it lacks; a path of this directory is only resolved.
    const file = fileURLToPath(import.meta.resolve(modelModule(apiVersion, kind)));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

const objects = [];
const result = { validated: [], errors: [] };
for (const doc of parseAllDocuments(readFileSync(0, 'utf8'), { uniqueKeys: true })) {
  if (doc.errors.length) {
    result.errors.push(...doc.errors.map((e) => `YAML: ${e.message}`));
    continue;
  }
  const object = doc.toJS();
  if (object === null || object === undefined) continue;
  const id = `${object.kind}/${object.metadata?.name}`;
  const file = modelFile(object.apiVersion, object.kind);
  if (!file) result.errors.push(`${id}: unknown apiVersion/kind ${object.apiVersion}/${object.kind}`);
  else objects.push({ id, object, file });
}

/** The declaration file next to a model: X.js → X.d.ts, X.mjs → X.d.mts. */
const declarationOf = (file) => file.replace(/\.(m?)js$/, '.d.$1ts');

// One program over the declarations of the kinds present; the checker resolves what they import.
const declarations = [...new Set(objects.map((o) => declarationOf(o.file)))];
const program = ts.createProgram(declarations, {
  noEmit: true,
  skipLibCheck: true,
  types: [],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();

/** The declared type `I<Kind>` of a model's declaration file. */
function kindType(file, kind) {
  const source = program.getSourceFile(declarationOf(file));
  const symbol = source && checker.getSymbolAtLocation(source)?.exports?.get(`I${kind}`);
  if (!symbol) throw new Error(`no interface I${kind} in ${file}`);
  return checker.getDeclaredTypeOfSymbol(symbol);
}

/** Paths of the fields of `value` that its type does not declare. Maps (index signatures) and free-form objects take any key. */
function unknownFields(value, type, path) {
  if (value === null || typeof value !== 'object') return [];
  let own = checker.getNonNullableType(type);
  if (own.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
  if (own.isUnion()) {
    // IntOrString and the like hold no fields; a union of several object types is not narrowed.
    const shapes = own.types.filter((t) => t.flags & ts.TypeFlags.Object);
    if (shapes.length !== 1) return [];
    own = shapes[0];
  }
  if (Array.isArray(value)) {
    if (!checker.isArrayType(own)) return [];
    const [element] = checker.getTypeArguments(own);
    return value.flatMap((item, i) => unknownFields(item, element, `${path}[${i}]`));
  }
  const index = checker.getIndexTypeOfType(own, ts.IndexKind.String);
  if (checker.getPropertiesOfType(own).length === 0 && !index) return [];
  return Object.entries(value).flatMap(([key, field]) => {
    const property = own.getProperty(key);
    const at = path ? `${path}.${key}` : key;
    if (property) return unknownFields(field, checker.getTypeOfSymbol(property), at);
    if (index) return unknownFields(field, index, at);
    return [at];
  });
}

for (const { id, object, file } of objects) {
  const Model = (await import(file))[object.kind];
  const errors = [];
  try {
    new Model(object).validate();
  } catch (error) {
    errors.push(`${id}: ${error.message}`);
  }
  for (const field of unknownFields(object, kindType(file, object.kind), '')) errors.push(`${id}: unknown field ${field}`);
  if (errors.length) result.errors.push(...errors);
  else result.validated.push(id);
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exitCode = result.errors.length ? 1 : 0;
