// Validates Kubernetes manifests (multi-document YAML files) against the JSON schemas generated from
// the Kubernetes OpenAPI specification (npm kubernetes-models) and prometheus-operator's CRDs.
// Usage: node validate.mjs FILE... — prints one line per object, exits 1 if any object is invalid,
// of an unknown kind, or lacks apiVersion/kind/metadata.name.
// Beyond the schemas (which ignore unknown fields) it refuses fields at the top level of an object
// and of metadata that Kubernetes does not know — the typos that would otherwise pass silently.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const TOP = new Set(["apiVersion", "kind", "metadata", "spec", "data", "binaryData", "stringData", "type",
  "rules", "roleRef", "subjects", "immutable", "aggregationRule", "secrets", "imagePullSecrets",
  "automountServiceAccountToken"]);
const META = new Set(["name", "namespace", "labels", "annotations", "generateName", "finalizers", "ownerReferences"]);

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const candidates = group === "monitoring.coreos.com"
    ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`]
    : [`kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`];
  for (const c of candidates) {
    try {
      const mod = await import(c);
      if (mod[kind]) return mod[kind];
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  return null;
}

let failures = 0, objects = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.log(`INVALID ${file}: YAML: ${doc.errors.map(e => e.message).join("; ")}`);
      failures++;
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) continue;
    objects++;
    const id = `${file}: ${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
    const problems = [];
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) problems.push("apiVersion, kind and metadata.name are required");
    for (const k of Object.keys(obj)) if (!TOP.has(k)) problems.push(`unknown top-level field ${k}`);
    for (const k of Object.keys(obj.metadata ?? {})) if (!META.has(k)) problems.push(`unknown metadata field ${k}`);
    for (const [k, v] of Object.entries({ ...obj.metadata?.labels, ...obj.metadata?.annotations })) {
      if (typeof v !== "string") problems.push(`label/annotation ${k} must be a string, is ${typeof v}`);
    }
    const Model = obj.apiVersion && obj.kind ? await modelFor(obj.apiVersion, obj.kind) : null;
    if (!Model) {
      problems.push(`no schema for ${obj.apiVersion} ${obj.kind}`);
    } else {
      try {
        new Model(obj).validate();
      } catch (e) {
        problems.push(e.message);
      }
    }
    if (problems.length) {
      failures++;
      console.log(`INVALID ${id}: ${problems.join("; ")}`);
    } else {
      console.log(`ok ${id}`);
    }
  }
}
console.log(`${objects} objects, ${failures} invalid`);
process.exit(failures || objects === 0 ? 1 : 0);
