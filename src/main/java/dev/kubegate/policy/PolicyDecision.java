package dev.kubegate.policy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kubegate.masking.MaskRules;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The policy decision document (docs/policy-input.md, contract):
 * <pre>
 * {"allow": false, "reasons": ["..."],
 *  "approval": {"required": true, "reason": "...", "approverGroups": ["sre"], "ttl": "15m", "approvers": 1},
 *  "mask": {"secrets": true, "credentials": true, "keyPatterns": ["(?i)pass|token"], "logPatterns": ["..."]},
 *  "audit": {"level": "Metadata|Request|RequestResponse"}}
 * </pre>
 * {@code allow: false} with {@code approval.required: true} means "allowed once a human approves".
 * Plain Java, immutable.
 *
 * @param allow    forward the call
 * @param reasons  why not (deny reasons, or else approval reasons), written for the agent
 * @param approval whether and by whom the call can be approved
 * @param mask     what to mask in the answer
 * @param audit    how much the audit record keeps
 */
public record PolicyDecision(boolean allow, List<String> reasons, Approval approval, Mask mask, Audit audit) {

    public PolicyDecision {
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(approval, "approval");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(audit, "audit");
        if (allow && approval.required()) {
            throw new IllegalArgumentException("a decision cannot both allow and require approval");
        }
    }

    /**
     * @param ttl       how long an approval stays valid for the same call; {@link Duration#ZERO}: once
     * @param approvers how many distinct approvers must approve (at least 1)
     */
    public record Approval(boolean required, String reason, List<String> approverGroups, Duration ttl, int approvers) {
        public static final Approval NONE = new Approval(false, "", List.of(), Duration.ZERO);

        public Approval {
            Objects.requireNonNull(reason, "reason");
            approverGroups = List.copyOf(approverGroups);
            Objects.requireNonNull(ttl, "ttl");
            if (approvers < 1) {
                throw new IllegalArgumentException("approval.approvers must be at least 1, not " + approvers);
            }
        }

        /** One approver. */
        public Approval(boolean required, String reason, List<String> approverGroups, Duration ttl) {
            this(required, reason, approverGroups, ttl, 1);
        }
    }

    /**
     * What the gateway hides in the answer.
     *
     * @param secrets     mask Secret {@code data}/{@code stringData} values everywhere, and any other
     *                    string of a Secret that holds one of them (by value)
     * @param keyPatterns ConfigMap keys and env var names whose values are masked (Java regex syntax)
     * @param logPatterns credentials masked in logs and exec output (RE2 syntax: linear-time matching);
     *                    when a pattern has a group named {@code secret}, only that group is masked
     * @param credentials mask credentials the API server mints or echoes: a TokenRequest's
     *                    {@code status.token}, a TokenReview's {@code spec.token}, a
     *                    CertificateSigningRequest's {@code status.certificate}
     */
    public record Mask(boolean secrets, List<String> keyPatterns, List<String> logPatterns, boolean credentials) {
        /** When a policy says nothing about masking: Secret values and credentials are still never shown. */
        public static final Mask SECRETS_ONLY = new Mask(true, List.of(), List.of());

        public Mask {
            keyPatterns = List.copyOf(keyPatterns);
            logPatterns = List.copyOf(logPatterns);
        }

        /** Credentials masked (the default: only an explicit {@code credentials: false} lets them through). */
        public Mask(boolean secrets, List<String> keyPatterns, List<String> logPatterns) {
            this(secrets, keyPatterns, logPatterns, true);
        }

        /** The key patterns, compiled (cached across decisions: policies repeat the same few). */
        public List<Pattern> keyRegexes() {
            return keyPatterns.stream().map(MaskPatterns::key).toList();
        }

        /** The log patterns, compiled with RE2/J (cached across decisions, see {@link MaskPatterns}). */
        public List<com.google.re2j.Pattern> logRegexes() {
            return logPatterns.stream().map(MaskPatterns::log).toList();
        }

        /** The rules for what the agent reads: exactly what the policy asks. */
        public MaskRules rules() {
            return new MaskRules(secrets, keyRegexes(), logRegexes(), credentials);
        }

        /**
         * For what kubegate stores (audit records, approval requests): the policy's patterns, and Secret
         * values and credentials masked whatever the policy lets the agent see, since others read these.
         */
        public MaskRules rulesForRecords() {
            return new MaskRules(true, keyRegexes(), logRegexes(), true);
        }
    }

    public enum AuditLevel { Metadata, Request, RequestResponse }

    public record Audit(AuditLevel level) {
        public static final Audit METADATA = new Audit(AuditLevel.Metadata);

        public Audit {
            Objects.requireNonNull(level, "level");
        }
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Parses the result of evaluating {@code kubegate/decision}: the OPA result set
     * {@code [{"result": {...}}]}, or the decision object itself. Strict: a missing {@code allow},
     * a value of the wrong type, an unknown audit level, a malformed TTL or regex, or an
     * undefined decision (empty result set) is an {@link IllegalArgumentException} — never an allow.
     * Optional sections default to: no reasons, no approval, Secret values and credentials masked,
     * audit Metadata.
     */
    public static PolicyDecision parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the decision is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the decision cannot be read: " + e.getMessage());
        }
        if (root != null && root.isArray()) {
            if (root.size() != 1) {
                throw new IllegalArgumentException(root.isEmpty()
                        ? "the policy defines no " + PolicyBundle.ENTRYPOINT + " for this input"
                        : "the policy returned " + root.size() + " results for " + PolicyBundle.ENTRYPOINT);
            }
            root = root.get(0).get("result");
        }
        return fromJson(root);
    }

    static PolicyDecision fromJson(JsonNode d) {
        object(d, "decision");
        boolean allow = bool(d.get("allow"), "allow");
        List<String> reasons = optional(d, "reasons") ? strings(d.get("reasons"), "reasons") : List.of();

        Approval approval = Approval.NONE;
        if (optional(d, "approval")) {
            JsonNode a = object(d.get("approval"), "approval");
            boolean required = bool(a.get("required"), "approval.required");
            approval = new Approval(required,
                    optional(a, "reason") ? string(a.get("reason"), "approval.reason") : "",
                    optional(a, "approverGroups") ? strings(a.get("approverGroups"), "approval.approverGroups") : List.of(),
                    optional(a, "ttl") ? duration(string(a.get("ttl"), "approval.ttl")) : Duration.ZERO,
                    optional(a, "approvers") ? count(a.get("approvers"), "approval.approvers") : 1);
        }

        Mask mask = Mask.SECRETS_ONLY;
        if (optional(d, "mask")) {
            JsonNode m = object(d.get("mask"), "mask");
            mask = new Mask(
                    !optional(m, "secrets") || bool(m.get("secrets"), "mask.secrets"),
                    optional(m, "keyPatterns") ? regexes(m.get("keyPatterns"), "mask.keyPatterns", MaskPatterns::key) : List.of(),
                    optional(m, "logPatterns") ? regexes(m.get("logPatterns"), "mask.logPatterns", MaskPatterns::log) : List.of(),
                    !optional(m, "credentials") || bool(m.get("credentials"), "mask.credentials"));
        }

        Audit audit = Audit.METADATA;
        if (optional(d, "audit")) {
            JsonNode a = object(d.get("audit"), "audit");
            String level = string(a.get("level"), "audit.level");
            try {
                audit = new Audit(AuditLevel.valueOf(level));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("audit.level must be Metadata, Request or RequestResponse, not \"" + level + "\"");
            }
        }
        return new PolicyDecision(allow, reasons, approval, mask, audit);
    }

    /** Present and not null. A null section is as malformed as a wrong type: it says nothing clear. */
    private static boolean optional(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n != null && n.isNull()) {
            throw new IllegalArgumentException(field + " is null");
        }
        return n != null;
    }

    private static JsonNode object(JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(what + " must be an object, not " + kind(n));
        }
        return n;
    }

    private static boolean bool(JsonNode n, String what) {
        if (n == null || !n.isBoolean()) {
            throw new IllegalArgumentException(what + " must be a boolean, not " + kind(n));
        }
        return n.booleanValue();
    }

    private static int count(JsonNode n, String what) {
        if (n == null || !n.canConvertToExactIntegral() || n.asInt() < 1 || n.asInt() > 10) {
            throw new IllegalArgumentException(what + " must be a whole number from 1 to 10, not " + (n == null ? "missing" : n.toString()));
        }
        return n.asInt();
    }

    private static String string(JsonNode n, String what) {
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(what + " must be a string, not " + kind(n));
        }
        return n.textValue();
    }

    private static List<String> strings(JsonNode n, String what) {
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(what + " must be an array of strings, not " + kind(n));
        }
        List<String> out = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            out.add(string(e, what + "[]"));
        }
        return out;
    }

    /** Each pattern compiled here, once (cached): a decision with a pattern that cannot run is malformed. */
    private static List<String> regexes(JsonNode n, String what, java.util.function.Function<String, ?> compile) {
        List<String> out = strings(n, what);
        for (String r : out) {
            try {
                compile.apply(r);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(what + " has an invalid pattern: " + e.getDescription() + " in " + r);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " has an invalid pattern: " + e.getMessage());
            }
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return n == null ? "missing" : n.getNodeType().toString().toLowerCase();
    }

    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** A Go duration ("15m", "1h30m", "90s"); empty means none. */
    static Duration duration(String s) {
        if (s.isEmpty() || s.equals("0")) {
            return Duration.ZERO;
        }
        java.util.regex.Matcher m = GO_DURATION.matcher(s);
        long nanos = 0;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            double v = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (v * unit);
            at = m.end();
        }
        if (at != s.length()) {
            throw new IllegalArgumentException("approval.ttl must be a duration like \"15m\" or \"1h30m\", not \"" + s + "\"");
        }
        return Duration.ofNanos(nanos);
    }
}
