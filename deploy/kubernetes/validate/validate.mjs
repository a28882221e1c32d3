// Validates the manifests in deploy/kubernetes against the Kubernetes OpenAPI schemas that kubernetes-models ships
// (types, required fields, enums; no cluster needed), then checks what the schemas cannot: that the pieces agree with
// each other and with the daemon's drain. Usage: node validate.mjs [DIR]; exit 1 with every problem listed.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const problems = [];
const objects = [];

for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
    if (doc.errors.length > 0) {
      problems.push(`${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const data = doc.toJS();
    if (data) objects.push({ file, data });
  }
}

for (const { file, data } of objects) {
  const { apiVersion, kind } = data;
  if (kind === "Kustomization") {
    for (const r of data.resources ?? []) {
      if (!existsSync(join(dir, r))) problems.push(`${file}: resource ${r} does not exist`);
    }
    continue;
  }
  const group = apiVersion.includes("/") ? apiVersion : `v1`;
  const modulePath = `kubernetes-models/${group === "v1" ? "v1" : group}/${kind}`;
  let Model;
  try {
    Model = (await import(modulePath))[kind];
  } catch {
    problems.push(`${file}: ${apiVersion} ${kind} is not a known Kubernetes kind`);
    continue;
  }
  try {
    new Model(data).validate();
  } catch (e) {
    problems.push(`${file}: ${kind} ${data.metadata?.name}: ${e.message}`);
  }
}

const find = (kind, name) => objects.map((o) => o.data).find((d) => d.kind === kind && (!name || d.metadata?.name === name));
const deployment = find("Deployment", "streamdiarize");
const config = find("ConfigMap", "streamdiarize-config");
const service = find("Service", "streamdiarize");
const hpa = find("HorizontalPodAutoscaler");
if (!deployment || !config || !service || !hpa) {
  problems.push("expected a Deployment, ConfigMap and Service named streamdiarize(-config) and a HorizontalPodAutoscaler");
} else {
  let settings = {};
  try {
    settings = JSON.parse(config.data["appsettings.json"]).Server ?? {};
  } catch (e) {
    problems.push(`configmap.yaml: appsettings.json is not JSON: ${e.message}`);
  }
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const grpcPort = settings.GrpcPort ?? 50051;
  const preStop = Number(container.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0);
  const needed = preStop + (settings.DrainGraceSeconds ?? 0) + (settings.ShutdownGraceSeconds ?? 5);
  if (!(pod.terminationGracePeriodSeconds > needed)) {
    problems.push(`deployment.yaml: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} must exceed preStop ${preStop} + DrainGraceSeconds + ShutdownGraceSeconds = ${needed}, or the kubelet kills sessions mid-drain`);
  }
  if (container.readinessProbe?.grpc?.port !== grpcPort) {
    problems.push(`deployment.yaml: the readiness probe must be gRPC health on Server:GrpcPort ${grpcPort} (it turns NOT_SERVING when the drain starts)`);
  }
  if (container.livenessProbe?.grpc || container.livenessProbe?.httpGet?.path === "/healthz") {
    problems.push("deployment.yaml: the liveness probe must not use health: a draining replica reports NOT_SERVING and would be killed");
  }
  if (!container.ports.some((p) => p.containerPort === grpcPort)) {
    problems.push(`deployment.yaml: no container port ${grpcPort} (Server:GrpcPort)`);
  }
  const labels = deployment.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(service.spec.selector ?? {})) {
    if (labels[k] !== v) problems.push(`service.yaml: selector ${k}=${v} matches no pod label of the Deployment`);
  }
  if (service.spec.clusterIP !== "None") problems.push("service.yaml: the Service must be headless (clusterIP: None) for client-side gRPC balancing");
  if (hpa.spec.scaleTargetRef.name !== deployment.metadata.name) problems.push("hpa.yaml: scaleTargetRef does not name the Deployment");
  if (!hpa.spec.metrics?.some((m) => m.pods?.metric?.name === "streamdiarize_active_sessions")) {
    problems.push("hpa.yaml: expected a Pods metric streamdiarize_active_sessions (the daemon's /metrics gauge)");
  }
  const bus = settings.Bus?.Url ?? "";
  const nats = find("Service", "nats");
  const match = /^nats:\/\/([^:/]+):(\d+)$/.exec(bus);
  if (!match) {
    problems.push(`configmap.yaml: Server:Bus:Url '${bus}' is not nats://HOST:PORT`);
  } else if (nats && !nats.spec.ports.some((p) => p.port === Number(match[2])) ) {
    problems.push(`configmap.yaml: Server:Bus:Url port ${match[2]} is not a port of the nats Service`);
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${objects.length} objects valid (kubernetes-models schemas and the drain/probe/selector checks)`);
