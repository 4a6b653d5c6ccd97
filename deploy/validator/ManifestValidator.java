import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.util.ModelMapper;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.yaml.snakeyaml.Yaml;

import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline, strict schema check of rendered Kubernetes manifests (multi-document YAML files).
 *
 * <ul>
 *   <li>Built-in kinds: the official Kubernetes Java client (models generated from the Kubernetes
 *       OpenAPI spec). {@code ModelMapper} maps apiVersion+kind to the model class (an unknown pair is
 *       an error), {@code validateJsonElement} rejects unknown fields, missing required fields and
 *       wrong JSON types at every depth, then Gson deserialisation checks quantities and int-or-string.</li>
 *   <li>Strimzi Kafka, KafkaNodePool, KafkaTopic, KafkaUser, and the Prometheus Operator's PodMonitor (fabric8): Strimzi's own typed model ({@code io.strimzi:api}).
 *       Wrong types and enum values fail in Jackson; unknown fields, which Strimzi keeps in
 *       {@code additionalProperties} maps, are found by walking the object graph. The model is Strimzi 1.2's,
 *       which serves {@code kafka.strimzi.io/v1} only (1.0 removed {@code v1beta2}, and with it the fields v1
 *       dropped): a resource must use a version its class lists in {@code VERSIONS}, and a field the model no
 *       longer has is an unknown field.</li>
 *   <li>Kinds listed in {@code --skip-kind} (checked by another tool) are counted, not checked.
 *       Any other kind is an error.</li>
 * </ul>
 * Usage: {@code java -cp CP ManifestValidator.java [--skip-kind keda.sh/v1alpha1/ScaledObject] FILE...}
 * Exit status 0 only when every object is valid.
 */
public class ManifestValidator {

    private static final Map<String, Class<?>> STRIMZI = Map.of(
            "kafka.strimzi.io/v1/Kafka", Kafka.class,
            "kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class,
            "kafka.strimzi.io/v1/KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class,
            // not Strimzi's, but a Jackson model checked the same way
            "monitoring.coreos.com/v1/PodMonitor", io.fabric8.openshift.api.model.monitoring.v1.PodMonitor.class);

    public static void main(String[] args) throws Exception {
        List<String> skip = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--skip-kind")) {
                skip.add(args[++i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: ManifestValidator [--skip-kind group/version/Kind] FILE...");
            System.exit(2);
        }
        Gson gson = new Gson();
        ObjectMapper strimziMapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        JSON k8sJson = new JSON();
        int checked = 0, skipped = 0, errors = 0;
        for (Path file : files) {
            List<Object> docs = new ArrayList<>();
            try (Reader r = Files.newBufferedReader(file)) {
                for (Object doc : new Yaml().loadAll(r)) {
                    if (doc != null) {
                        docs.add(doc);
                    }
                }
            }
            for (Object doc : docs) {
                String where;
                String gvk;
                if (!(doc instanceof Map<?, ?> map) || !(map.get("apiVersion") instanceof String apiVersion)
                        || !(map.get("kind") instanceof String kind)) {
                    System.out.println("ERROR " + file + ": a document without apiVersion and kind");
                    errors++;
                    continue;
                }
                Object meta = map.get("metadata");
                String name = meta instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : "?";
                gvk = apiVersion + "/" + kind;
                where = file.getFileName() + " " + gvk + " " + name;
                List<String> problems = new ArrayList<>();
                if (skip.contains(gvk)) {
                    skipped++;
                    continue;
                }
                String json = gson.toJson(doc);
                try {
                    List<String> served = apiVersion.startsWith("kafka.strimzi.io/") ? servedVersions(kind) : null;
                    if (served != null && !served.isEmpty() && !served.contains(apiVersion.substring(apiVersion.indexOf('/') + 1))) {
                        problems.add(apiVersion + " is not served by Strimzi 1.x (" + kind + ": " + served
                                + "; v1beta2 was removed in 1.0): write apiVersion: kafka.strimzi.io/v1");
                    } else if (STRIMZI.containsKey(gvk)) {
                        Object cr = strimziMapper.readValue(json, STRIMZI.get(gvk));
                        findUnknownFields(cr, kind, problems, new IdentityHashMap<>());
                    } else {
                        Class<?> type = builtInType(apiVersion, kind);
                        if (type == null) {
                            problems.add("no schema for " + gvk + " (not a built-in kind nor a known CRD)");
                        } else {
                            JsonElement el = gson.fromJson(json, JsonElement.class);
                            Method validate = type.getMethod("validateJsonElement", JsonElement.class);
                            validate.invoke(null, el);
                            k8sJson.getGson().fromJson(el, type);
                        }
                    }
                } catch (java.lang.reflect.InvocationTargetException e) {
                    problems.add(shorten(e.getCause().getMessage()));
                } catch (Exception e) {
                    problems.add(e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
                }
                checked++;
                if (problems.isEmpty()) {
                    System.out.println("ok    " + where);
                } else {
                    errors++;
                    for (String p : problems) {
                        System.out.println("ERROR " + where + ": " + p);
                    }
                }
            }
        }
        System.out.printf("manifest validator: %d objects checked, %d left to another tool, %d invalid%n",
                checked, skipped, errors);
        System.exit(errors == 0 ? 0 : 1);
    }

    private static Class<?> builtInType(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        Class<?> type = ModelMapper.getApiTypeClass(group, version, kind);
        // ModelMapper answers a schema-less dynamic object for pairs it does not know.
        return type == null || type.getName().contains(".dynamic.") ? null : type;
    }

    /** Every additionalProperties map reachable from a Strimzi object must be empty: a key there is a field the model does not know. */
    private static void findUnknownFields(Object o, String path, List<String> problems, Map<Object, Boolean> seen) throws Exception {
        if (o == null || seen.containsKey(o) || o instanceof String || o instanceof Number || o instanceof Boolean
                || o instanceof Enum<?> || o.getClass().isPrimitive()) {
            return;
        }
        seen.put(o, true);
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                findUnknownFields(e.getValue(), path + "." + e.getKey(), problems, seen);
            }
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                findUnknownFields(x, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        String pkg = o.getClass().getPackageName();
        if (!pkg.startsWith("io.strimzi") && !pkg.startsWith("io.fabric8")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (Exception e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add("unknown field(s) " + extra.keySet() + " at " + path);
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            JsonProperty jp = m.getAnnotation(JsonProperty.class);
            if (v == null && jp != null && jp.required()) {
                // Also where Strimzi's enum creators turn an unknown value into null.
                problems.add("missing or invalid required field " + path + "." + field);
            }
            findUnknownFields(v, path + "." + field, problems, seen);
        }
    }

    /** The versions Strimzi's model serves for {@code kind} (its class' {@code VERSIONS}); empty for a kind it lacks. */
    private static List<String> servedVersions(String kind) throws ReflectiveOperationException {
        Class<?> type = STRIMZI.get("kafka.strimzi.io/v1/" + kind);
        if (type == null) {
            return List.of();
        }
        @SuppressWarnings("unchecked")
        List<String> versions = (List<String>) type.getField("VERSIONS").get(null);
        return versions;
    }

    /** The client's messages append the whole offending JSON; keep the sentence. */
    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        int cut = s.indexOf(" JSON: ");
        if (cut < 0) {
            cut = s.indexOf(": {");
        }
        return cut < 0 ? s : s.substring(0, cut);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
