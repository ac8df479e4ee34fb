//! kustomize's builtin field-spec tables (`api/internal/konfig/builtinpluginconsts`),
//! as data in a compact line format parsed once:
//!
//! - `# <section>` starts a table (`namePrefix`, `commonLabels`, ..., `nameReference`);
//! - an indented line is one field spec: `<path> [kind=K] [group=G] [version=V] [create]`;
//! - in `nameReference`, `@ kind=K [group=G] [version=V]` starts the referral's block and
//!   the indented lines after it are the fields that refer to it.
//!
//! The tables follow kustomize's current sources (which the conformance cases come
//! from): v5.5 plus image volumes and the separate volume-claim-template labels.
//! Quirks are kept on purpose (e.g. IngressClass's group `networking.k8s.io/v1`
//! never matches, exactly as upstream).

/// The default tables.
pub const DEFAULT_TABLES: &str = r"
# namePrefix
  metadata/name
# nameSuffix
  metadata/name
# commonLabels
  spec/selector kind=Service version=v1 create
  spec/selector kind=ReplicationController version=v1 create
  spec/selector/matchLabels kind=Deployment create
  spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels kind=Deployment group=apps
  spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels kind=Deployment group=apps
  spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels kind=Deployment group=apps
  spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels kind=Deployment group=apps
  spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels kind=Deployment group=apps
  spec/selector/matchLabels kind=ReplicaSet create
  spec/selector/matchLabels kind=DaemonSet create
  spec/selector/matchLabels kind=StatefulSet group=apps create
  spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels kind=StatefulSet group=apps
  spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels kind=StatefulSet group=apps
  spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels kind=StatefulSet group=apps
  spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels kind=StatefulSet group=apps
  spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels kind=StatefulSet group=apps
  spec/selector/matchLabels kind=Job group=batch
  spec/jobTemplate/spec/selector/matchLabels kind=CronJob group=batch
  spec/selector/matchLabels kind=PodDisruptionBudget group=policy
  spec/podSelector/matchLabels kind=NetworkPolicy group=networking.k8s.io
  spec/ingress/from/podSelector/matchLabels kind=NetworkPolicy group=networking.k8s.io
  spec/egress/to/podSelector/matchLabels kind=NetworkPolicy group=networking.k8s.io
  metadata/labels create
  spec/template/metadata/labels kind=ReplicationController version=v1 create
  spec/template/metadata/labels kind=Deployment create
  spec/template/metadata/labels kind=ReplicaSet create
  spec/template/metadata/labels kind=DaemonSet create
  spec/template/metadata/labels kind=StatefulSet group=apps create
  spec/template/metadata/labels kind=Job group=batch create
  spec/jobTemplate/metadata/labels kind=CronJob group=batch create
  spec/jobTemplate/spec/template/metadata/labels kind=CronJob group=batch create
  spec/volumeClaimTemplates[]/metadata/labels kind=StatefulSet group=apps create
# templateLabels
  metadata/labels create
  spec/template/metadata/labels kind=ReplicationController version=v1 create
  spec/template/metadata/labels kind=Deployment create
  spec/template/metadata/labels kind=ReplicaSet create
  spec/template/metadata/labels kind=DaemonSet create
  spec/template/metadata/labels kind=StatefulSet group=apps create
  spec/template/metadata/labels kind=Job group=batch create
  spec/jobTemplate/metadata/labels kind=CronJob group=batch create
  spec/jobTemplate/spec/template/metadata/labels kind=CronJob group=batch create
# volumeClaimTemplateLabels
  spec/volumeClaimTemplates[]/metadata/labels kind=StatefulSet group=apps create
# commonAnnotations
  metadata/annotations create
  spec/template/metadata/annotations kind=ReplicationController version=v1 create
  spec/template/metadata/annotations kind=Deployment create
  spec/template/metadata/annotations kind=ReplicaSet create
  spec/template/metadata/annotations kind=DaemonSet create
  spec/template/metadata/annotations kind=StatefulSet create
  spec/template/metadata/annotations kind=Job group=batch create
  spec/jobTemplate/metadata/annotations kind=CronJob group=batch create
  spec/jobTemplate/spec/template/metadata/annotations kind=CronJob group=batch create
# namespace
  metadata/name kind=Namespace create
  spec/service/namespace kind=APIService group=apiregistration.k8s.io create
  spec/conversion/webhook/clientConfig/service/namespace kind=CustomResourceDefinition group=apiextensions.k8s.io
# varReference
  spec/jobTemplate/spec/template/spec/containers/args kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/command kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/env/value kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/volumeMounts/mountPath kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/args kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/command kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/env/value kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/volumeMounts/mountPath kind=CronJob
  spec/jobTemplate/spec/template/volumes/nfs/server kind=CronJob
  spec/template/spec/containers/args kind=DaemonSet
  spec/template/spec/containers/command kind=DaemonSet
  spec/template/spec/containers/env/value kind=DaemonSet
  spec/template/spec/containers/volumeMounts/mountPath kind=DaemonSet
  spec/template/spec/initContainers/args kind=DaemonSet
  spec/template/spec/initContainers/command kind=DaemonSet
  spec/template/spec/initContainers/env/value kind=DaemonSet
  spec/template/spec/initContainers/volumeMounts/mountPath kind=DaemonSet
  spec/template/spec/volumes/nfs/server kind=DaemonSet
  spec/template/spec/containers/args kind=Deployment
  spec/template/spec/containers/command kind=Deployment
  spec/template/spec/containers/env/value kind=Deployment
  spec/template/spec/containers/volumeMounts/mountPath kind=Deployment
  spec/template/spec/initContainers/args kind=Deployment
  spec/template/spec/initContainers/command kind=Deployment
  spec/template/spec/initContainers/env/value kind=Deployment
  spec/template/spec/initContainers/volumeMounts/mountPath kind=Deployment
  spec/template/spec/volumes/nfs/server kind=Deployment
  spec/template/metadata/annotations kind=Deployment
  spec/rules/host kind=Ingress
  spec/tls/hosts kind=Ingress
  spec/tls/secretName kind=Ingress
  spec/template/spec/containers/args kind=Job
  spec/template/spec/containers/command kind=Job
  spec/template/spec/containers/env/value kind=Job
  spec/template/spec/containers/volumeMounts/mountPath kind=Job
  spec/template/spec/initContainers/args kind=Job
  spec/template/spec/initContainers/command kind=Job
  spec/template/spec/initContainers/env/value kind=Job
  spec/template/spec/initContainers/volumeMounts/mountPath kind=Job
  spec/template/spec/volumes/nfs/server kind=Job
  spec/containers/args kind=Pod
  spec/containers/command kind=Pod
  spec/containers/env/value kind=Pod
  spec/containers/volumeMounts/mountPath kind=Pod
  spec/initContainers/args kind=Pod
  spec/initContainers/command kind=Pod
  spec/initContainers/env/value kind=Pod
  spec/initContainers/volumeMounts/mountPath kind=Pod
  spec/volumes/nfs/server kind=Pod
  spec/template/spec/containers/args kind=ReplicaSet
  spec/template/spec/containers/command kind=ReplicaSet
  spec/template/spec/containers/env/value kind=ReplicaSet
  spec/template/spec/containers/volumeMounts/mountPath kind=ReplicaSet
  spec/template/spec/initContainers/args kind=ReplicaSet
  spec/template/spec/initContainers/command kind=ReplicaSet
  spec/template/spec/initContainers/env/value kind=ReplicaSet
  spec/template/spec/initContainers/volumeMounts/mountPath kind=ReplicaSet
  spec/template/spec/volumes/nfs/server kind=ReplicaSet
  spec/ports/port kind=Service
  spec/ports/targetPort kind=Service
  spec/template/spec/containers/args kind=StatefulSet
  spec/template/spec/containers/command kind=StatefulSet
  spec/template/spec/containers/env/value kind=StatefulSet
  spec/template/spec/containers/volumeMounts/mountPath kind=StatefulSet
  spec/template/spec/initContainers/args kind=StatefulSet
  spec/template/spec/initContainers/command kind=StatefulSet
  spec/template/spec/initContainers/env/value kind=StatefulSet
  spec/template/spec/initContainers/volumeMounts/mountPath kind=StatefulSet
  spec/volumeClaimTemplates/spec/nfs/server kind=StatefulSet
  spec/nfs/server kind=PersistentVolume
  metadata/labels
  metadata/annotations
# images
  spec/containers[]/image create
  spec/initContainers[]/image create
  spec/volumes[]/image/reference create
  spec/template/spec/containers[]/image create
  spec/template/spec/initContainers[]/image create
  spec/template/spec/volumes[]/image/reference create
# replicas
  spec/replicas kind=Deployment create
  spec/replicas kind=ReplicationController create
  spec/replicas kind=ReplicaSet create
  spec/replicas kind=StatefulSet create
# nameReference
@ kind=Deployment
  spec/scaleTargetRef/name kind=HorizontalPodAutoscaler
@ kind=ReplicationController
  spec/scaleTargetRef/name kind=HorizontalPodAutoscaler
@ kind=ReplicaSet
  spec/scaleTargetRef/name kind=HorizontalPodAutoscaler
@ kind=StatefulSet
  spec/scaleTargetRef/name kind=HorizontalPodAutoscaler
@ kind=ConfigMap version=v1
  spec/volumes/configMap/name kind=Pod version=v1
  spec/containers/env/valueFrom/configMapKeyRef/name kind=Pod version=v1
  spec/initContainers/env/valueFrom/configMapKeyRef/name kind=Pod version=v1
  spec/containers/envFrom/configMapRef/name kind=Pod version=v1
  spec/initContainers/envFrom/configMapRef/name kind=Pod version=v1
  spec/volumes/projected/sources/configMap/name kind=Pod version=v1
  template/spec/volumes/configMap/name kind=PodTemplate
  template/spec/containers/env/valueFrom/configMapKeyRef/name kind=PodTemplate
  template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=PodTemplate
  template/spec/containers/envFrom/configMapRef/name kind=PodTemplate
  template/spec/initContainers/envFrom/configMapRef/name kind=PodTemplate
  template/spec/volumes/projected/sources/configMap/name kind=PodTemplate
  spec/template/spec/volumes/configMap/name kind=Deployment
  spec/template/spec/containers/env/valueFrom/configMapKeyRef/name kind=Deployment
  spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=Deployment
  spec/template/spec/containers/envFrom/configMapRef/name kind=Deployment
  spec/template/spec/initContainers/envFrom/configMapRef/name kind=Deployment
  spec/template/spec/volumes/projected/sources/configMap/name kind=Deployment
  spec/template/spec/volumes/configMap/name kind=ReplicaSet
  spec/template/spec/containers/env/valueFrom/configMapKeyRef/name kind=ReplicaSet
  spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=ReplicaSet
  spec/template/spec/containers/envFrom/configMapRef/name kind=ReplicaSet
  spec/template/spec/initContainers/envFrom/configMapRef/name kind=ReplicaSet
  spec/template/spec/volumes/projected/sources/configMap/name kind=ReplicaSet
  spec/template/spec/volumes/configMap/name kind=DaemonSet
  spec/template/spec/containers/env/valueFrom/configMapKeyRef/name kind=DaemonSet
  spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=DaemonSet
  spec/template/spec/containers/envFrom/configMapRef/name kind=DaemonSet
  spec/template/spec/initContainers/envFrom/configMapRef/name kind=DaemonSet
  spec/template/spec/volumes/projected/sources/configMap/name kind=DaemonSet
  spec/template/spec/volumes/configMap/name kind=StatefulSet
  spec/template/spec/containers/env/valueFrom/configMapKeyRef/name kind=StatefulSet
  spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=StatefulSet
  spec/template/spec/containers/envFrom/configMapRef/name kind=StatefulSet
  spec/template/spec/initContainers/envFrom/configMapRef/name kind=StatefulSet
  spec/template/spec/volumes/projected/sources/configMap/name kind=StatefulSet
  spec/template/spec/volumes/configMap/name kind=Job
  spec/template/spec/containers/env/valueFrom/configMapKeyRef/name kind=Job
  spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=Job
  spec/template/spec/containers/envFrom/configMapRef/name kind=Job
  spec/template/spec/initContainers/envFrom/configMapRef/name kind=Job
  spec/template/spec/volumes/projected/sources/configMap/name kind=Job
  spec/jobTemplate/spec/template/spec/volumes/configMap/name kind=CronJob
  spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name kind=CronJob
  spec/configSource/configMap kind=Node
  rules/resourceNames kind=Role
  rules/resourceNames kind=ClusterRole
  metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap kind=Ingress
@ kind=Secret version=v1
  spec/volumes/secret/secretName kind=Pod version=v1
  spec/containers/env/valueFrom/secretKeyRef/name kind=Pod version=v1
  spec/initContainers/env/valueFrom/secretKeyRef/name kind=Pod version=v1
  spec/containers/envFrom/secretRef/name kind=Pod version=v1
  spec/initContainers/envFrom/secretRef/name kind=Pod version=v1
  spec/imagePullSecrets/name kind=Pod version=v1
  spec/volumes/projected/sources/secret/name kind=Pod version=v1
  template/spec/volumes/secret/secretName kind=PodTemplate
  template/spec/containers/env/valueFrom/secretKeyRef/name kind=PodTemplate
  template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=PodTemplate
  template/spec/containers/envFrom/secretRef/name kind=PodTemplate
  template/spec/initContainers/envFrom/secretRef/name kind=PodTemplate
  template/spec/imagePullSecrets/name kind=PodTemplate
  template/spec/volumes/projected/sources/secret/name kind=PodTemplate
  spec/template/spec/volumes/secret/secretName kind=Deployment
  spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=Deployment
  spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=Deployment
  spec/template/spec/containers/envFrom/secretRef/name kind=Deployment
  spec/template/spec/initContainers/envFrom/secretRef/name kind=Deployment
  spec/template/spec/imagePullSecrets/name kind=Deployment
  spec/template/spec/volumes/projected/sources/secret/name kind=Deployment
  spec/template/spec/volumes/secret/secretName kind=ReplicaSet
  spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=ReplicaSet
  spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=ReplicaSet
  spec/template/spec/containers/envFrom/secretRef/name kind=ReplicaSet
  spec/template/spec/initContainers/envFrom/secretRef/name kind=ReplicaSet
  spec/template/spec/imagePullSecrets/name kind=ReplicaSet
  spec/template/spec/volumes/projected/sources/secret/name kind=ReplicaSet
  spec/template/spec/volumes/secret/secretName kind=DaemonSet
  spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=DaemonSet
  spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=DaemonSet
  spec/template/spec/containers/envFrom/secretRef/name kind=DaemonSet
  spec/template/spec/initContainers/envFrom/secretRef/name kind=DaemonSet
  spec/template/spec/imagePullSecrets/name kind=DaemonSet
  spec/template/spec/volumes/projected/sources/secret/name kind=DaemonSet
  spec/template/spec/volumes/secret/secretName kind=StatefulSet
  spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=StatefulSet
  spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=StatefulSet
  spec/template/spec/containers/envFrom/secretRef/name kind=StatefulSet
  spec/template/spec/initContainers/envFrom/secretRef/name kind=StatefulSet
  spec/template/spec/imagePullSecrets/name kind=StatefulSet
  spec/template/spec/volumes/projected/sources/secret/name kind=StatefulSet
  spec/template/spec/volumes/secret/secretName kind=Job
  spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=Job
  spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=Job
  spec/template/spec/containers/envFrom/secretRef/name kind=Job
  spec/template/spec/initContainers/envFrom/secretRef/name kind=Job
  spec/template/spec/imagePullSecrets/name kind=Job
  spec/template/spec/volumes/projected/sources/secret/name kind=Job
  spec/jobTemplate/spec/template/spec/volumes/secret/secretName kind=CronJob
  spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name kind=CronJob
  spec/jobTemplate/spec/template/spec/imagePullSecrets/name kind=CronJob
  spec/tls/secretName kind=Ingress
  metadata/annotations/ingress.kubernetes.io\/auth-secret kind=Ingress
  metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret kind=Ingress
  metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret kind=Ingress
  spec/tls/secretName kind=Ingress
  imagePullSecrets/name kind=ServiceAccount
  parameters/secretName kind=StorageClass
  parameters/adminSecretName kind=StorageClass
  parameters/userSecretName kind=StorageClass
  parameters/secretRef kind=StorageClass
  rules/resourceNames kind=Role
  rules/resourceNames kind=ClusterRole
  spec/template/spec/containers/env/valueFrom/secretKeyRef/name kind=Service group=serving.knative.dev version=v1
  spec/azureFile/secretName kind=PersistentVolume
@ kind=Service version=v1
  spec/serviceName kind=StatefulSet group=apps
  spec/rules/http/paths/backend/serviceName kind=Ingress
  spec/backend/serviceName kind=Ingress
  spec/rules/http/paths/backend/service/name kind=Ingress
  spec/defaultBackend/service/name kind=Ingress
  spec/service/name kind=APIService group=apiregistration.k8s.io
  webhooks/clientConfig/service kind=ValidatingWebhookConfiguration group=admissionregistration.k8s.io
  webhooks/clientConfig/service kind=MutatingWebhookConfiguration group=admissionregistration.k8s.io
@ kind=Role group=rbac.authorization.k8s.io
  roleRef/name kind=RoleBinding group=rbac.authorization.k8s.io
@ kind=ClusterRole group=rbac.authorization.k8s.io
  roleRef/name kind=RoleBinding group=rbac.authorization.k8s.io
  roleRef/name kind=ClusterRoleBinding group=rbac.authorization.k8s.io
@ kind=ServiceAccount version=v1
  subjects kind=RoleBinding group=rbac.authorization.k8s.io
  subjects kind=ClusterRoleBinding group=rbac.authorization.k8s.io
  spec/serviceAccountName kind=Pod
  spec/template/spec/serviceAccountName kind=StatefulSet
  spec/template/spec/serviceAccountName kind=Deployment
  spec/template/spec/serviceAccountName kind=ReplicationController
  spec/jobTemplate/spec/template/spec/serviceAccountName kind=CronJob
  spec/template/spec/serviceAccountName kind=Job
  spec/template/spec/serviceAccountName kind=DaemonSet
@ kind=PersistentVolumeClaim version=v1
  spec/volumes/persistentVolumeClaim/claimName kind=Pod
  spec/template/spec/volumes/persistentVolumeClaim/claimName kind=StatefulSet
  spec/template/spec/volumes/persistentVolumeClaim/claimName kind=Deployment
  spec/template/spec/volumes/persistentVolumeClaim/claimName kind=ReplicationController
  spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName kind=CronJob
  spec/template/spec/volumes/persistentVolumeClaim/claimName kind=Job
  spec/template/spec/volumes/persistentVolumeClaim/claimName kind=DaemonSet
@ kind=PersistentVolume version=v1
  spec/volumeName kind=PersistentVolumeClaim
  rules/resourceNames kind=ClusterRole
@ kind=StorageClass group=storage.k8s.io version=v1
  spec/storageClassName kind=PersistentVolume
  spec/storageClassName kind=PersistentVolumeClaim
  spec/volumeClaimTemplates/spec/storageClassName kind=StatefulSet
@ kind=PriorityClass group=scheduling.k8s.io version=v1
  spec/priorityClassName kind=Pod
  spec/template/spec/priorityClassName kind=StatefulSet
  spec/template/spec/priorityClassName kind=Deployment
  spec/template/spec/priorityClassName kind=ReplicationController
  spec/jobTemplate/spec/template/spec/priorityClassName kind=CronJob
  spec/template/spec/priorityClassName kind=Job
  spec/template/spec/priorityClassName kind=DaemonSet
@ kind=IngressClass group=networking.k8s.io/v1 version=v1
  spec/ingressClassName kind=Ingress
@ kind=ValidatingAdmissionPolicy group=admissionregistration.k8s.io
  spec/policyName kind=ValidatingAdmissionPolicyBinding group=admissionregistration.k8s.io
";
