// Schema check of KEDA objects (keda.sh/v1alpha1 ScaledObject, TriggerAuthentication) in rendered manifest files.
//
// The schema: @kubernetes-models/keda, JSON-schema validators generated from KEDA's own CRDs.
// Those validators check types, required fields and enums but let unknown fields through, so
// strictness is added by a type probe: every field of the object is replaced, one at a time, by a
// value of another JSON type; a field that the schema describes makes validation fail at that path,
// a field it does not know (a typo, a field of another version) does not, and is reported.
// Usage: node validate-keda.mjs FILE...   Exit status 0 only when every KEDA object is valid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";

const KINDS = {
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
};

function errorsOf(Model, obj) {
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return e.errors ?? [{ instancePath: "", message: e.message }];
  }
}

function probeFor(value) {
  return value !== null && typeof value === "object" ? 12345.5 : { __probe__: [] };
}

// Paths (JSON pointers) of all fields below `spec`.
function fieldPaths(value, path, out) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => fieldPaths(v, [...path, i], out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push([...path, k]);
      fieldPaths(v, [...path, k], out);
    }
  }
  return out;
}

function setAt(obj, path, v) {
  const copy = structuredClone(obj);
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = v;
  return copy;
}

let checked = 0, invalid = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const obj = doc.toJS();
    if (!obj || !obj.apiVersion || !obj.kind) continue;
    const gvk = `${obj.apiVersion}/${obj.kind}`;
    if (!obj.apiVersion.startsWith("keda.sh/")) continue;
    const where = `${file.split("/").pop()} ${gvk} ${obj.metadata?.name}`;
    checked++;
    const Model = KINDS[gvk];
    const problems = [];
    if (!Model) {
      problems.push(`no schema for ${gvk}`);
    } else {
      for (const e of errorsOf(Model, obj)) problems.push(`${e.instancePath || "/"} ${e.message}`);
      if (problems.length === 0) {
        for (const path of fieldPaths(obj.spec ?? {}, ["spec"], [])) {
          const pointer = "/" + path.join("/");
          const original = path.reduce((o, k) => o[k], obj);
          const errs = errorsOf(Model, setAt(obj, path, probeFor(original)));
          if (!errs.some((e) => e.instancePath === pointer || e.instancePath.startsWith(pointer + "/"))) {
            problems.push(`unknown field ${pointer} (not in KEDA's schema)`);
          }
        }
      }
    }
    if (problems.length === 0) {
      console.log(`ok    ${where}`);
    } else {
      invalid++;
      for (const p of problems) console.log(`ERROR ${where}: ${p}`);
    }
  }
}
console.log(`keda validator: ${checked} objects checked, ${invalid} invalid`);
process.exit(invalid === 0 ? 0 : 1);
