// The k6-operator's TestRun (k6.io/v1alpha1), declared from the operator's v1alpha1 API types
// (1.x), for tools/helm/validate-manifests.mjs: no npm package models this kind. The field names
// here are what the validator's strict unknown-field check reads; the Kubernetes types inside a
// TestRun are kubernetes-models' own.
import type { ICondition } from '@kubernetes-models/apimachinery/apis/meta/v1/Condition';
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ILocalObjectReference } from 'kubernetes-models/v1/LocalObjectReference';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';

export interface ITestRun {
  apiVersion: 'k6.io/v1alpha1';
  kind: 'TestRun';
  metadata?: IObjectMeta;
  spec: ITestRunSpec;
  status?: { conditions?: ICondition[]; stage?: string; testRunId?: string; aggregationVars?: string };
}

export interface ITestRunSpec {
  /** Where the script is: exactly one of the three. */
  script: { configMap?: { name: string; file?: string }; volumeClaim?: { name: string; file?: string; readOnly?: boolean }; localFile?: string };
  /** Runner pods sharing the load. */
  parallelism: number;
  separate?: boolean;
  /** k6 arguments as one space-separated string; `args` (exact argv) wins over it. */
  arguments?: string;
  args?: string[];
  ports?: IContainerPort[];
  initializer?: IK6Pod;
  starter?: IK6Pod;
  runner?: IK6Pod;
  /** "true" or "false", as strings. */
  quiet?: string;
  paused?: string;
  scuttle?: {
    enabled?: string;
    envoyAdminApi?: string;
    neverKillIstio?: boolean;
    neverKillIstioOnFailure?: boolean;
    disableLogging?: boolean;
    startWithoutEnvoy?: boolean;
    waitForEnvoyTimeout?: string;
    istioQuitApi?: string;
    genericQuitEndpoint?: string;
    quitWithoutEnvoyTimeout?: string;
  };
  cleanup?: 'post';
  testRunId?: string;
  token?: string;
}

/** The settings of a pod the operator creates (initializer, starter, runners). */
export interface IK6Pod {
  disabled?: boolean;
  affinity?: IAffinity;
  automountServiceAccountToken?: string;
  env?: IEnvVar[];
  image?: string;
  imagePullSecrets?: ILocalObjectReference[];
  imagePullPolicy?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  nodeSelector?: Record<string, string>;
  tolerations?: IToleration[];
  topologySpreadConstraints?: ITopologySpreadConstraint[];
  resources?: IResourceRequirements;
  serviceAccountName?: string;
  securityContext?: IPodSecurityContext;
  containerSecurityContext?: ISecurityContext;
  envFrom?: IEnvFromSource[];
  readinessProbe?: IProbe;
  livenessProbe?: IProbe;
  initContainers?: {
    name?: string;
    image?: string;
    env?: IEnvVar[];
    envFrom?: IEnvFromSource[];
    command?: string[];
    args?: string[];
    workingDir?: string;
    volumeMounts?: IVolumeMount[];
    resources?: IResourceRequirements;
    restartPolicy?: string;
  }[];
  volumes?: IVolume[];
  volumeMounts?: IVolumeMount[];
  priorityClassName?: string;
  schedulerName?: string;
}

export declare class TestRun implements ITestRun {
  apiVersion: 'k6.io/v1alpha1';
  kind: 'TestRun';
  metadata?: IObjectMeta;
  spec: ITestRunSpec;
  constructor(data: ITestRun);
  /** Throws naming every field of the wrong type, missing or out of range. */
  validate(): void;
}
