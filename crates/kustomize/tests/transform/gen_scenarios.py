#!/usr/bin/env python3
"""Random kustomize scenarios for the field-spec transformers (names, namespaces,
prefixes/suffixes over one or two bases, generators, labels, annotations, images,
replicas, replacements, vars). Usage: gen_scenarios.py N [DIR]; then
TRANSFORM_FIXTURES=DIR cargo test -p driftless-kustomize --test transform_kubectl
compares every build with kubectl kustomize (both must fail, or render the same)."""
import random, os, sys, shutil
root=sys.argv[2] if len(sys.argv) > 2 else '/tmp/randfix'; shutil.rmtree(root, ignore_errors=True); os.makedirs(root)
def y(o, ind=0):
    import json
    return json.dumps(o)
def base_objects(r, names):
    cm, sec, sa, pvc, svc = names
    objs=[]
    objs.append({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":sa}})
    pod={"serviceAccountName":sa,"containers":[{"name":"c","image":r.choice(["nginx","nginx:1.2","docker.io/library/nginx:1@sha256:ab","redis:7","busybox"]),
        "envFrom":[{"configMapRef":{"name":cm}}],"env":[{"name":"S","valueFrom":{"secretKeyRef":{"name":sec,"key":"k"}}},{"name":"V","value":"http://$(SVC):80/$(MISSING)"},{"name":"R","value":"x"}],"args":["--svc=$(SVC)"]}],
        "initContainers":[{"name":"i","image":r.choice(["busybox","nginx"])}],
        "volumes":[{"name":"v","configMap":{"name":cm}},{"name":"p","persistentVolumeClaim":{"claimName":pvc}},{"name":"s","secret":{"secretName":sec}}]}
    kind=r.choice(["Deployment","StatefulSet","DaemonSet"])
    spec={"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":pod}}
    if kind=="StatefulSet":
        spec["serviceName"]=svc
        if r.random()<0.5: spec["volumeClaimTemplates"]=[{"metadata":{"name":"d"},"spec":{"accessModes":["ReadWriteOnce"]}}]
    if kind!="DaemonSet" and r.random()<0.5: spec["replicas"]=1
    objs.append({"apiVersion":"apps/v1","kind":kind,"metadata":{"name":"app"},"spec":spec})
    objs.append({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"job"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":dict(pod,restartPolicy="Never")}}}}})
    objs.append({"apiVersion":"v1","kind":"Service","metadata":{"name":svc},"spec":{"selector":{"app":"a"},"ports":[{"port":80}]}})
    objs.append({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":pvc},"spec":{"accessModes":["ReadWriteOnce"]}})
    objs.append({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"role"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"resourceNames":[cm],"verbs":["get"]}]})
    subj=[{"kind":"ServiceAccount","name":sa}]
    if r.random()<0.5: subj.append({"kind":"ServiceAccount","name":"default"})
    if r.random()<0.3: subj.append({"kind":"ServiceAccount","name":sa,"namespace":r.choice(["default","other"])})
    objs.append({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"role"},"subjects":subj})
    objs.append({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"ing"},"spec":{"tls":[{"secretName":sec}],"rules":[{"http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":svc,"port":{"number":80}}}}]}}]}})
    objs.append({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"hpa"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":kind,"name":"app"},"maxReplicas":2}})
    if r.random()<0.5:
        ns=r.choice(["team-x","default"])
        for o in objs:
            if r.random()<0.5: o["metadata"]["namespace"]=ns
        objs.append({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"crb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"viewer"},"subjects":[{"kind":"ServiceAccount","name":sa,"namespace":ns}]})
        objs.append({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"viewer"},"rules":[]})
    return objs
def kust(r, resources, gen):
    k={"resources":resources}
    if gen:
        k["configMapGenerator"]=[{"name":"cm","literals":["A=%d"%r.randint(0,9)]}]
        k["secretGenerator"]=[{"name":"sec","literals":["k=v"]}]
    if r.random()<0.6: k["namespace"]=r.choice(["ns1","ns2","default"])
    if r.random()<0.6: k["namePrefix"]=r.choice(["p-","q-",""])
    if r.random()<0.4: k["nameSuffix"]=r.choice(["-s","-t"])
    if r.random()<0.4: k["commonLabels"]={"team":r.choice(["x","y"])}
    if r.random()<0.4: k["labels"]=[{"pairs":{"l":"1"},"includeSelectors":r.random()<0.5,"includeTemplates":False}]
    if r.random()<0.4: k["commonAnnotations"]={"note":"n"}
    if r.random()<0.5:
        k["images"]=[r.choice([{"name":"nginx","newTag":"9"},{"name":"busybox","newName":"mirror/bb"},{"name":"redis","digest":"sha256:ff"},{"name":"docker.io/library/nginx","newTag":"3","digest":"sha256:cc"}])]
    if r.random()<0.3: k["replicas"]=[{"name":"app","count":r.randint(0,5)}]
    if r.random()<0.5:
        k["replacements"]=[{"source":{"kind":"Service","fieldPath":r.choice(["metadata.name","spec.ports.0.port"])},
            "targets":[{"select":{"kind":r.choice(["Deployment","StatefulSet","DaemonSet"])},"fieldPaths":["spec.template.spec.containers.[name=c].env.[name=R].value","metadata.annotations.svc"],"options":{"create":True}},
                       {"select":{"kind":"Ingress"},"reject":[{"name":r.choice(["ing","other"])}],"fieldPaths":["metadata.annotations.backend"],"options":{"create":True,"delimiter":"/","index":r.choice([-1,0,5])}}]}]
    return k
for n in range(int(sys.argv[1])):
    r=random.Random(n)
    d=os.path.join(root,"s%03d"%n)
    nb=r.choice([1,2])
    bases=[]
    for b in range(nb):
        bd=os.path.join(d,"b%d"%b); os.makedirs(bd)
        names=("cm","sec","sa","pvc","svc")
        objs=base_objects(r,names)
        open(os.path.join(bd,"r.yaml"),"w").write("\n---\n".join(y(o) for o in objs)+"\n")
        k=kust(r,["r.yaml"],True)
        if r.random()<0.6: k["vars"]=[{"name":"SVC","objref":{"kind":"Service","name":"svc","apiVersion":"v1"}}]
        if nb==2 and "namePrefix" not in k and "nameSuffix" not in k: k["namePrefix"]="b%d-"%b
        if nb==2: k["namePrefix"]=k.get("namePrefix","")+"b%d-"%b
        open(os.path.join(bd,"kustomization.yaml"),"w").write(y(k)+"\n")
        bases.append("../b%d"%b)
    od=os.path.join(d,"top"); os.makedirs(od)
    k=kust(r,bases,False)
    if nb==2 and "namespace" in k: del k["namespace"]
    open(os.path.join(od,"kustomization.yaml"),"w").write(y(k)+"\n")
