package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Secrets a pod's processes can read, from its spec, and the values a Secret holds: what
 * {@link KnownValues} masks in that pod's logs and exec output.
 *
 * <p>A pod sees a Secret through {@code env[].valueFrom.secretKeyRef}, {@code envFrom[].secretRef}
 * (in its containers, init containers and ephemeral containers), {@code volumes[].secret} and
 * {@code volumes[].projected.sources[].secret}. Every value of each such Secret is masked, not only
 * the referenced key: a superset, so nothing the pod can print is missed.
 */
public final class PodSecrets {

    private static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers", "ephemeralContainers");

    private PodSecrets() {
    }

    /** The names of the Secrets the pod references, sorted, without duplicates. */
    public static Set<String> referencedBy(JsonNode pod) {
        return referencedBySpec(pod.path("spec"));
    }

    /** The names of the Secrets a pod spec (a pod's, or a workload template's) references. */
    public static Set<String> referencedBySpec(JsonNode spec) {
        Set<String> names = new TreeSet<>();
        for (String list : CONTAINER_LISTS) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode env : c.path("env")) {
                    add(names, env.path("valueFrom").path("secretKeyRef").path("name"));
                }
                for (JsonNode from : c.path("envFrom")) {
                    add(names, from.path("secretRef").path("name"));
                }
            }
        }
        for (JsonNode v : spec.path("volumes")) {
            add(names, v.path("secret").path("secretName"));
            for (JsonNode source : v.path("projected").path("sources")) {
                add(names, source.path("secret").path("name"));
            }
        }
        return names;
    }

    /**
     * The decoded values of a Secret's {@code data} and {@code stringData}; a value of several lines
     * (a credentials file mounted from the Secret) also gives each of its lines, since a process may
     * print one line of it ({@code grep}).
     */
    public static List<byte[]> values(JsonNode secret) {
        List<byte[]> out = new ArrayList<>();
        secret.path("data").forEach(v -> {
            if (v.isTextual()) {
                try {
                    addValue(out, Base64.getMimeDecoder().decode(v.textValue()));
                } catch (IllegalArgumentException e) {
                    addValue(out, v.textValue().getBytes(StandardCharsets.UTF_8)); // not base64: mask it as it is
                }
            }
        });
        secret.path("stringData").forEach(v -> {
            if (v.isTextual()) {
                addValue(out, v.textValue().getBytes(StandardCharsets.UTF_8));
            }
        });
        return out;
    }

    private static void addValue(List<byte[]> out, byte[] value) {
        out.add(value);
        String text = new String(value, StandardCharsets.ISO_8859_1);
        if (text.indexOf('\n') >= 0) {
            for (String line : text.split("\\r?\\n")) {
                if (!line.isBlank()) {
                    out.add(line.strip().getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    private static void add(Set<String> names, JsonNode name) {
        if (name.isTextual() && !name.textValue().isEmpty()) {
            names.add(name.textValue());
        }
    }
}
