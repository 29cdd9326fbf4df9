// The k6-operator's TestRun (k6.io/v1alpha1) as a model validate-manifests.mjs can check: the
// types and required fields of the operator's own fields as its CustomResourceDefinition states
// them (TestRun.d.ts declares them all), and every Kubernetes type inside with kubernetes-models'
// schemas.
import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { Affinity } from 'kubernetes-models/v1/Affinity';
import { ContainerPort } from 'kubernetes-models/v1/ContainerPort';
import { EnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import { EnvVar } from 'kubernetes-models/v1/EnvVar';
import { LocalObjectReference } from 'kubernetes-models/v1/LocalObjectReference';
import { PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { Probe } from 'kubernetes-models/v1/Probe';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { SecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { Toleration } from 'kubernetes-models/v1/Toleration';
import { TopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import { Volume } from 'kubernetes-models/v1/Volume';
import { VolumeMount } from 'kubernetes-models/v1/VolumeMount';

// Each check returns the problems of a value at a path ('' when it is fine).
const string = (value, path) => (typeof value === 'string' ? [] : [`${path} must be a string`]);
const boolean = (value, path) => (typeof value === 'boolean' ? [] : [`${path} must be a boolean`]);
const oneOf = (...allowed) => (value, path) => (allowed.includes(value) ? [] : [`${path} must be one of ${allowed.join(', ')}`]);
const int32 = (value, path) => (Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? [] : [`${path} must be a 32-bit integer`]);
const listOf = (check) => (value, path) => (Array.isArray(value) ? value.flatMap((item, i) => check(item, `${path}[${i}]`)) : [`${path} must be a list`]);
const stringMap = (value, path) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value).flatMap(([key, item]) => string(item, `${path}.${key}`)) : [`${path} must be a map of strings`];
/** A Kubernetes type, checked by its kubernetes-models schema. */
const model = (Model) => (value, path) => {
  try {
    new Model(value).validate();
    return [];
  } catch (error) {
    return [`${path}: ${error.message}`];
  }
};
/** An object with these fields (unknown ones are the validator's type check's to find), the required ones present. */
const object = (fields, required = []) => (value, path) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path} must be an object`];
  return [
    ...required.filter((field) => value[field] === undefined).map((field) => `${path}.${field} is required`),
    ...Object.entries(value).flatMap(([field, item]) => fields[field]?.(item, `${path}.${field}`) ?? []),
  ];
};

const scriptFile = { name: string, file: string };
const script = object({ configMap: object(scriptFile, ['name']), volumeClaim: object({ ...scriptFile, readOnly: boolean }, ['name']), localFile: string });

const pod = object({
  disabled: boolean,
  affinity: model(Affinity),
  automountServiceAccountToken: string,
  env: listOf(model(EnvVar)),
  image: string,
  imagePullSecrets: listOf(model(LocalObjectReference)),
  imagePullPolicy: string,
  metadata: object({ labels: stringMap, annotations: stringMap }),
  nodeSelector: stringMap,
  tolerations: listOf(model(Toleration)),
  topologySpreadConstraints: listOf(model(TopologySpreadConstraint)),
  resources: model(ResourceRequirements),
  serviceAccountName: string,
  securityContext: model(PodSecurityContext),
  containerSecurityContext: model(SecurityContext),
  envFrom: listOf(model(EnvFromSource)),
  readinessProbe: model(Probe),
  livenessProbe: model(Probe),
  initContainers: listOf(
    object({
      name: string,
      image: string,
      env: listOf(model(EnvVar)),
      envFrom: listOf(model(EnvFromSource)),
      command: listOf(string),
      args: listOf(string),
      workingDir: string,
      volumeMounts: listOf(model(VolumeMount)),
      resources: model(ResourceRequirements),
      restartPolicy: string,
    }),
  ),
  volumes: listOf(model(Volume)),
  volumeMounts: listOf(model(VolumeMount)),
  priorityClassName: string,
  schedulerName: string,
});

const testRun = object(
  {
    apiVersion: oneOf('k6.io/v1alpha1'),
    kind: oneOf('TestRun'),
    metadata: model(ObjectMeta),
    spec: object(
      {
        script,
        parallelism: int32,
        separate: boolean,
        arguments: string,
        args: listOf(string),
        ports: listOf(model(ContainerPort)),
        initializer: pod,
        starter: pod,
        runner: pod,
        quiet: string,
        paused: string,
        scuttle: object({
          enabled: string,
          envoyAdminApi: string,
          neverKillIstio: boolean,
          neverKillIstioOnFailure: boolean,
          disableLogging: boolean,
          startWithoutEnvoy: boolean,
          waitForEnvoyTimeout: string,
          istioQuitApi: string,
          genericQuitEndpoint: string,
          quitWithoutEnvoyTimeout: string,
        }),
        cleanup: oneOf('post'),
        testRunId: string,
        token: string,
      },
      ['script', 'parallelism'],
    ),
  },
  ['spec'],
);

export class TestRun {
  constructor(data) {
    Object.assign(this, { apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', ...data });
  }

  validate() {
    const problems = testRun({ ...this }, 'TestRun');
    if (problems.length) throw new Error(problems.join('; '));
  }
}
