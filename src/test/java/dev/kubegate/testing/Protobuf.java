package dev.kubegate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Decodes the Kubernetes protobuf request bodies kubectl 1.32 sends with its typed clients
 * ({@code kubectl create configmap|secret|deployment|...}, {@code auth can-i}, {@code auth whoami})
 * into the JSON the apiserver would have decoded.
 *
 * <p>Wire format: the 4 bytes {@code k8s\0}, then a {@code runtime.Unknown} message (1: typeMeta
 * {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType) whose {@code raw} is the
 * object's message from the generated.proto files. Only the messages below are known (field
 * numbers from k8s.io/api and k8s.io/apimachinery generated.proto, checked against what kubectl
 * sends); fields of unknown numbers are skipped, other kinds are refused with 415.
 *
 * <p>Schema notation: {@code []T} repeated, {@code map:T} map from string, {@code T*} a Go pointer,
 * {@code T^} an embedded Go struct (a nested message in protobuf, inlined in JSON). Protobuf
 * carries every non-pointer field, empty or not; like the JSON encoder's omitempty, empty strings,
 * false and 0 are dropped unless the field is a pointer, where zero is meaningful (replicas: 0).
 */
final class Protobuf {
    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

    private record Field(String name, String type, boolean repeated, boolean map, boolean pointer, boolean inline) {
    }

    private static final Map<String, Map<Integer, Field>> MESSAGES = new HashMap<>();

    static {
        // k8s.io/apimachinery/pkg/apis/meta/v1
        msg("ObjectMeta", "1 name string", "2 generateName string", "3 namespace string", "5 uid string",
                "6 resourceVersion string", "7 generation int64", "8 creationTimestamp Time", "9 deletionTimestamp Time",
                "10 deletionGracePeriodSeconds int64*", "11 labels map:string", "12 annotations map:string",
                "13 ownerReferences []OwnerReference", "14 finalizers []string", "17 managedFields []ManagedFieldsEntry");
        msg("OwnerReference", "1 kind string", "3 name string", "4 uid string", "5 apiVersion string",
                "6 controller bool*", "7 blockOwnerDeletion bool*");
        msg("ManagedFieldsEntry", "1 manager string", "2 operation string", "3 apiVersion string", "4 time Time",
                "6 fieldsType string", "7 fieldsV1 FieldsV1", "8 subresource string");
        msg("DeleteOptions", "1 gracePeriodSeconds int64*", "2 preconditions Preconditions", "3 orphanDependents bool*",
                "4 propagationPolicy string*", "5 dryRun []string");
        msg("Preconditions", "1 uid string*", "2 resourceVersion string*");
        msg("LabelSelector", "1 matchLabels map:string", "2 matchExpressions []LabelSelectorRequirement");
        msg("LabelSelectorRequirement", "1 key string", "2 operator string", "3 values []string");
        // k8s.io/api/core/v1
        msg("ConfigMap", "1 metadata ObjectMeta", "2 data map:string", "3 binaryData map:bytes", "4 immutable bool*");
        msg("Secret", "1 metadata ObjectMeta", "2 data map:bytes", "3 type string", "4 stringData map:string", "5 immutable bool*");
        msg("Namespace", "1 metadata ObjectMeta", "2 spec NamespaceSpec");
        msg("NamespaceSpec", "1 finalizers []string");
        msg("ServiceAccount", "1 metadata ObjectMeta", "2 secrets []ObjectReference",
                "3 imagePullSecrets []LocalObjectReference", "4 automountServiceAccountToken bool*");
        msg("ObjectReference", "1 kind string", "2 namespace string", "3 name string", "4 uid string",
                "5 apiVersion string", "6 resourceVersion string", "7 fieldPath string");
        msg("LocalObjectReference", "1 name string");
        msg("Pod", "1 metadata ObjectMeta", "2 spec PodSpec");
        msg("PodTemplateSpec", "1 metadata ObjectMeta", "2 spec PodSpec");
        msg("PodSpec", "2 containers []Container", "3 restartPolicy string", "4 terminationGracePeriodSeconds int64*",
                "5 activeDeadlineSeconds int64*", "6 dnsPolicy string", "7 nodeSelector map:string",
                "8 serviceAccountName string", "10 nodeName string", "11 hostNetwork bool", "12 hostPID bool",
                "13 hostIPC bool", "15 imagePullSecrets []LocalObjectReference", "16 hostname string", "17 subdomain string",
                "19 schedulerName string", "20 initContainers []Container", "21 automountServiceAccountToken bool*",
                "24 priorityClassName string", "25 priority int32*", "29 runtimeClassName string*",
                "30 enableServiceLinks bool*");
        msg("Container", "1 name string", "2 image string", "3 command []string", "4 args []string", "5 workingDir string",
                "6 ports []ContainerPort", "7 env []EnvVar", "8 resources ResourceRequirements",
                "13 terminationMessagePath string", "14 imagePullPolicy string", "16 stdin bool", "17 stdinOnce bool",
                "18 tty bool", "20 terminationMessagePolicy string", "24 restartPolicy string*");
        msg("ContainerPort", "1 name string", "2 hostPort int32", "3 containerPort int32", "4 protocol string", "5 hostIP string");
        msg("EnvVar", "1 name string", "2 value string");
        msg("ResourceRequirements", "1 limits map:Quantity", "2 requests map:Quantity");
        msg("Service", "1 metadata ObjectMeta", "2 spec ServiceSpec");
        msg("ServiceSpec", "1 ports []ServicePort", "2 selector map:string", "3 clusterIP string", "4 type string",
                "5 externalIPs []string", "7 sessionAffinity string", "10 externalName string", "18 clusterIPs []string");
        msg("ServicePort", "1 name string", "2 protocol string", "3 port int32", "4 targetPort IntOrString", "5 nodePort int32");
        // k8s.io/api/apps/v1
        msg("Deployment", "1 metadata ObjectMeta", "2 spec DeploymentSpec");
        msg("DeploymentSpec", "1 replicas int32*", "2 selector LabelSelector", "3 template PodTemplateSpec",
                "4 strategy DeploymentStrategy", "5 minReadySeconds int32", "6 revisionHistoryLimit int32*", "7 paused bool",
                "9 progressDeadlineSeconds int32*");
        msg("DeploymentStrategy", "1 type string", "2 rollingUpdate RollingUpdateDeployment");
        msg("RollingUpdateDeployment", "1 maxUnavailable IntOrString", "2 maxSurge IntOrString");
        // k8s.io/api/networking/v1
        msg("Ingress", "1 metadata ObjectMeta", "2 spec IngressSpec");
        msg("IngressSpec", "1 defaultBackend IngressBackend", "2 tls []IngressTLS", "3 rules []IngressRule",
                "4 ingressClassName string*");
        msg("IngressRule", "1 host string", "2 ingressRuleValue IngressRuleValue^");
        msg("IngressRuleValue", "1 http HTTPIngressRuleValue");
        msg("HTTPIngressRuleValue", "1 paths []HTTPIngressPath");
        msg("HTTPIngressPath", "1 path string", "2 backend IngressBackend", "3 pathType string*");
        msg("IngressBackend", "4 service IngressServiceBackend");
        msg("IngressServiceBackend", "1 name string", "2 port ServiceBackendPort");
        msg("ServiceBackendPort", "1 name string", "2 number int32");
        msg("IngressTLS", "1 hosts []string", "2 secretName string");
        // k8s.io/api/batch/v1
        msg("Job", "1 metadata ObjectMeta", "2 spec JobSpec");
        msg("JobSpec", "1 parallelism int32*", "2 completions int32*", "3 activeDeadlineSeconds int64*",
                "4 selector LabelSelector", "5 manualSelector bool*", "6 template PodTemplateSpec", "7 backoffLimit int32*",
                "8 ttlSecondsAfterFinished int32*", "9 completionMode string*", "10 suspend bool*");
        msg("CronJob", "1 metadata ObjectMeta", "2 spec CronJobSpec");
        msg("CronJobSpec", "1 schedule string", "2 startingDeadlineSeconds int64*", "3 concurrencyPolicy string",
                "4 suspend bool*", "5 jobTemplate JobTemplateSpec", "6 successfulJobsHistoryLimit int32*",
                "7 failedJobsHistoryLimit int32*", "8 timeZone string*");
        msg("JobTemplateSpec", "1 metadata ObjectMeta", "2 spec JobSpec");
        // k8s.io/api/rbac/v1
        msg("Role", "1 metadata ObjectMeta", "2 rules []PolicyRule");
        msg("ClusterRole", "1 metadata ObjectMeta", "2 rules []PolicyRule");
        msg("PolicyRule", "1 verbs []string", "2 apiGroups []string", "3 resources []string", "4 resourceNames []string",
                "5 nonResourceURLs []string");
        msg("RoleBinding", "1 metadata ObjectMeta", "2 subjects []Subject", "3 roleRef RoleRef");
        msg("ClusterRoleBinding", "1 metadata ObjectMeta", "2 subjects []Subject", "3 roleRef RoleRef");
        msg("Subject", "1 kind string", "2 apiGroup string", "3 name string", "4 namespace string");
        msg("RoleRef", "1 apiGroup string", "2 kind string", "3 name string");
        // k8s.io/api/authorization/v1 and authentication/v1
        msg("SelfSubjectAccessReview", "1 metadata ObjectMeta", "2 spec SubjectAccessReviewSpec");
        msg("SubjectAccessReview", "1 metadata ObjectMeta", "2 spec SubjectAccessReviewSpec");
        msg("SubjectAccessReviewSpec", "1 resourceAttributes ResourceAttributes", "2 nonResourceAttributes NonResourceAttributes",
                "3 user string", "4 groups []string", "5 extra map:ExtraValue", "6 uid string");
        msg("ResourceAttributes", "1 namespace string", "2 verb string", "3 group string", "4 version string",
                "5 resource string", "6 subresource string", "7 name string");
        msg("NonResourceAttributes", "1 path string", "2 verb string");
        msg("SelfSubjectReview", "1 metadata ObjectMeta");
    }

    private Protobuf() {
    }

    private static void msg(String name, String... fields) {
        Map<Integer, Field> m = new HashMap<>();
        for (String f : fields) {
            String[] p = f.split(" ");
            String type = p[2];
            boolean repeated = type.startsWith("[]");
            boolean map = type.startsWith("map:");
            boolean pointer = type.endsWith("*");
            boolean inline = type.endsWith("^");
            type = type.replace("[]", "").replace("map:", "").replace("*", "").replace("^", "");
            m.put(Integer.parseInt(p[0]), new Field(p[1], type, repeated, map, pointer, inline));
        }
        MESSAGES.put(name, m);
    }

    static boolean isProtobuf(String contentType) {
        return contentType != null && contentType.startsWith(MEDIA_TYPE);
    }

    /** Decodes an enveloped object; 415 for kinds the double does not know. */
    static ObjectNode decode(byte[] body) {
        try {
            if (body.length < 4 || body[0] != 'k' || body[1] != '8' || body[2] != 's' || body[3] != 0) {
                throw ApiError.badRequest("protobuf body without the k8s envelope");
            }
            Reader unknown = new Reader(body, 4, body.length);
            String apiVersion = null;
            String kind = null;
            byte[] raw = new byte[0];
            while (unknown.more()) {
                int tag = unknown.varint32();
                if (tag >>> 3 == 1 && (tag & 7) == 2) {
                    Reader typeMeta = unknown.nested();
                    while (typeMeta.more()) {
                        int t = typeMeta.varint32();
                        if (t >>> 3 == 1) {
                            apiVersion = typeMeta.string();
                        } else if (t >>> 3 == 2) {
                            kind = typeMeta.string();
                        } else {
                            typeMeta.skip(t & 7);
                        }
                    }
                } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                    raw = unknown.bytes();
                } else {
                    unknown.skip(tag & 7);
                }
            }
            if (kind == null || !MESSAGES.containsKey(kind)) {
                throw new ApiError(415, "UnsupportedMediaType", "the fake kube-apiserver cannot decode protobuf for kind "
                        + kind + "; send application/json", null);
            }
            ObjectNode obj = JsonNodeFactory.instance.objectNode().put("apiVersion", apiVersion).put("kind", kind);
            obj.setAll(message(new Reader(raw, 0, raw.length), kind));
            return obj;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiError a) {
                throw a;
            }
            throw ApiError.badRequest("the protobuf body could not be decoded: " + e.getMessage());
        }
    }

    private static ObjectNode message(Reader r, String type) throws IOException {
        Map<Integer, Field> fields = MESSAGES.get(type);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        while (r.more()) {
            int tag = r.varint32();
            Field f = fields.get(tag >>> 3);
            if (f == null) {
                r.skip(tag & 7);
                continue;
            }
            if (f.map()) {
                Reader entry = r.nested();
                String key = "";
                JsonNode value = null;
                while (entry.more()) {
                    int t = entry.varint32();
                    if (t >>> 3 == 1) {
                        key = entry.string();
                    } else if (t >>> 3 == 2) {
                        value = value(entry, f.type(), t & 7);
                    } else {
                        entry.skip(t & 7);
                    }
                }
                out.withObjectProperty(f.name()).set(key, value == null ? JsonNodeFactory.instance.textNode("") : value);
            } else if (f.repeated() && (tag & 7) == 2 && isVarintType(f.type())) {
                Reader packed = r.nested(); // packed repeated scalars
                while (packed.more()) {
                    out.withArray(f.name()).add(value(packed, f.type(), 0));
                }
            } else {
                JsonNode v = value(r, f.type(), tag & 7);
                if (f.repeated()) {
                    out.withArray(f.name()).add(v);
                } else if (f.inline()) {
                    out.setAll((ObjectNode) v); // an embedded Go struct: inlined in JSON
                } else if (v != null && (f.pointer() || !isEmpty(v))) {
                    out.set(f.name(), v);
                } else {
                    out.remove(f.name());
                }
            }
        }
        return out;
    }

    private static boolean isVarintType(String type) {
        return type.equals("int32") || type.equals("int64") || type.equals("bool");
    }

    private static boolean isEmpty(JsonNode v) {
        return v.isTextual() && v.asText().isEmpty() || v.isBoolean() && !v.asBoolean()
                || v.isNumber() && v.asLong() == 0 || v.isObject() && v.isEmpty();
    }

    private static JsonNode value(Reader r, String type, int wire) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (type) {
            case "string":
                return f.textNode(r.string());
            case "bytes":
                return f.textNode(Base64.getEncoder().encodeToString(r.bytes()));
            case "bool":
                return f.booleanNode(r.varint() != 0);
            case "int32":
                return f.numberNode((int) r.varint());
            case "int64":
                return f.numberNode(r.varint());
            case "Quantity": {
                Reader q = r.nested();
                String s = "";
                while (q.more()) {
                    int t = q.varint32();
                    if (t >>> 3 == 1) {
                        s = q.string();
                    } else {
                        q.skip(t & 7);
                    }
                }
                return f.textNode(s);
            }
            case "Time": {
                Reader t = r.nested();
                long seconds = 0;
                while (t.more()) {
                    int tag = t.varint32();
                    if (tag >>> 3 == 1) {
                        seconds = t.varint();
                    } else {
                        t.skip(tag & 7);
                    }
                }
                return seconds == 0 ? null : f.textNode(Instant.ofEpochSecond(seconds).toString());
            }
            case "IntOrString": {
                Reader t = r.nested();
                long kind = 0;
                long intVal = 0;
                String strVal = "";
                while (t.more()) {
                    int tag = t.varint32();
                    switch (tag >>> 3) {
                        case 1 -> kind = t.varint();
                        case 2 -> intVal = (int) t.varint();
                        case 3 -> strVal = t.string();
                        default -> t.skip(tag & 7);
                    }
                }
                return kind == 1 ? f.textNode(strVal) : f.numberNode(intVal);
            }
            case "FieldsV1": {
                Reader t = r.nested();
                JsonNode json = f.objectNode();
                while (t.more()) {
                    int tag = t.varint32();
                    if (tag >>> 3 == 1) {
                        json = Json.MAPPER.readTree(t.bytes());
                    } else {
                        t.skip(tag & 7);
                    }
                }
                return json;
            }
            case "ExtraValue": {
                Reader t = r.nested();
                ArrayNode items = f.arrayNode();
                while (t.more()) {
                    int tag = t.varint32();
                    if (tag >>> 3 == 1) {
                        items.add(t.string());
                    } else {
                        t.skip(tag & 7);
                    }
                }
                return items;
            }
            default:
                if (wire != 2) {
                    throw new IOException("wire type " + wire + " for message " + type);
                }
                return message(r.nested(), type);
        }
    }

    /** A bounded view of a protobuf buffer. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() throws IOException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IOException("truncated varint");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IOException("malformed varint");
        }

        int varint32() throws IOException {
            return (int) varint();
        }

        byte[] bytes() throws IOException {
            int len = varint32();
            if (len < 0 || pos + len > end) {
                throw new IOException("truncated field");
            }
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        String string() throws IOException {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader nested() throws IOException {
            int len = varint32();
            if (len < 0 || pos + len > end) {
                throw new IOException("truncated message");
            }
            Reader r = new Reader(buf, pos, pos + len);
            pos += len;
            return r;
        }

        void skip(int wire) throws IOException {
            switch (wire) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int len = varint32(); // not "pos += varint32()": that would add to the old pos
                    pos += len;
                }
                case 5 -> pos += 4;
                default -> throw new IOException("unsupported wire type " + wire);
            }
            if (pos > end) {
                throw new IOException("truncated field");
            }
        }
    }
}
