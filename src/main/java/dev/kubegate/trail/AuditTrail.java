package dev.kubegate.trail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.AuditLog;
import dev.kubegate.audit.AuditUnavailableException;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.FsyncPolicy;
import dev.kubegate.config.AuditFsync;
import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.audit.SigningKeys;
import dev.kubegate.audit.sink.K8sAuditEvent;
import dev.kubegate.audit.sink.K8sAuditExport;
import dev.kubegate.audit.sink.S3Location;
import dev.kubegate.audit.sink.S3Shipper;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.Principal;
import dev.kubegate.masking.HiddenValues;
import dev.kubegate.masking.JsonMasker;
import dev.kubegate.masking.MaskingException;
import dev.kubegate.masking.ResourceHint;
import dev.kubegate.masking.SecretValues;
import dev.kubegate.masking.StreamMasker;
import dev.kubegate.masking.WholeObjectMasker;
import dev.kubegate.policy.PolicyDecision;
import io.opentelemetry.api.trace.Span;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's audit trail: one record per API call, lifecycle events, on this replica's
 * {@link AuditLog} stream.
 *
 * <p>Durability design: a <em>mutating</em> call (create, update, patch, delete, deletecollection —
 * exec/attach/port-forward are creates) writes an {@code intent} record (who, what, the decision) and
 * is forwarded only once that record is durable ({@link #beforeForward}); when the call ends, its
 * {@code call} record (same {@code call} id: outcome, status, bytes, latency) follows without being
 * waited for. A read writes only its {@code call} record at the end. So after a crash, every mutation
 * that may have reached the cluster has a record; a record without its outcome means "outcome unknown".
 * While the log cannot accept records every call is refused with 503 ({@link #unavailable()}).
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    private static final Set<String> MUTATING = Set.of("create", "update", "patch", "delete", "deletecollection");

    @Inject
    KubegateConfig config;

    @Inject
    Playbooks playbooks;

    @ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    private volatile AuditLog log;
    private volatile S3Shipper shipper;
    private volatile K8sAuditExport export;
    private volatile String startFailure = "the audit log is starting";
    long maxBody;

    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (!serving || !config.audit().enabled()) {
            startFailure = null;
            return;
        }
        maxBody = config.audit().maxBody().bytes();
        try {
            Path dir = auditDir(config);
            Files.createDirectories(dir);
            SigningKeys.Signer signer = SigningKeys.loadOrGenerate(config.audit().signingKey()
                    .orElse(config.dataDir().resolve("audit-key").resolve("ed25519.pem")));
            String stream = config.audit().writerId().orElseGet(() -> writerId(dir));
            java.util.function.Consumer<Path> onSealed = null;
            switch (config.audit().sink()) {
                case FILE -> { }
                case S3 -> {
                    KubegateConfig.Audit.S3 s3 = config.audit().s3();
                    S3Location where = new S3Location(s3.bucket().orElseThrow(() -> new IllegalArgumentException(
                            "kubegate.audit.sink=s3 needs kubegate.audit.s3.bucket")), s3.prefix().orElse(""), s3.region(),
                            s3.endpoint());
                    S3Shipper sh = new S3Shipper(where, where.client(null), dir, stream, s3.retention(), s3.retentionMode().name(),
                            s3.maxPending().bytes(), java.time.Duration.ofSeconds(2), Clock.systemUTC());
                    shipper = sh;
                    onSealed = sh::sealed;
                    LOG.infof("audit: closed segments go to %s", where.describe());
                }
            }
            log = new AuditLog(new AuditLog.Options(dir, stream, fsyncPolicy(config.audit().fsync()),
                    config.audit().segmentSize().bytes(), config.audit().segmentAge(),
                    config.audit().checkpointInterval(), config.audit().maxBuffered(), java.time.Duration.ofSeconds(1)),
                    signer, Clock.systemUTC(), onSealed);
            if (config.audit().export().enabled()) {
                export = new K8sAuditExport(config.audit().export().file().orElse(dir.resolve("k8s-audit").resolve("events.jsonl")));
                LOG.infof("audit: Kubernetes audit events (audit.k8s.io/v1) appended to %s", export.file());
            }
            startFailure = null;
            LOG.infof("audit: stream %s in %s, fsync %s, signing key %s", stream, dir, config.audit().fsync(), signer.keyId());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log under " + auditDir(config), e);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        AuditLog l = log;
        if (l != null) {
            l.close();
        }
        S3Shipper sh = shipper;
        if (sh != null) {
            sh.close();
        }
        K8sAuditExport x = export;
        if (x != null) {
            x.close();
        }
    }

    public static Path auditDir(KubegateConfig config) {
        return config.audit().dir().orElse(config.dataDir().resolve("audit"));
    }

    /** The stream id this replica writes: hostname and a random suffix, kept across restarts. */
    /** The setting, as the audit core's own value. */
    static FsyncPolicy fsyncPolicy(AuditFsync setting) {
        return switch (setting.mode()) {
            case ALWAYS -> FsyncPolicy.ALWAYS;
            case NEVER -> FsyncPolicy.NEVER;
            case BATCH -> FsyncPolicy.batch(setting.window());
        };
    }

    static String writerId(Path dir) {
        Path file = dir.resolve("writer-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "kubegate";
            }
            byte[] r = new byte[3];
            new SecureRandom().nextBytes(r);
            String id = host.replaceAll("[^A-Za-z0-9.-]", "-") + "-" + HexFormat.of().formatHex(r);
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the audit writer id in " + file, e);
        }
    }

    public boolean enabled() {
        return config.audit().enabled();
    }

    /** The local log, or null when auditing is off or not started. */
    public AuditLog log() {
        return log;
    }

    /** Why no call can be recorded now (calls are then refused with 503), or null. */
    public String unavailable() {
        if (!config.audit().enabled()) {
            return null;
        }
        AuditLog l = log;
        if (l == null) {
            return startFailure;
        }
        String why = l.failure();
        S3Shipper sh = shipper;
        return why != null || sh == null ? why : sh.failure();
    }

    /** The S3 sink, when {@code kubegate.audit.sink=s3}. */
    public S3Shipper shipper() {
        return shipper;
    }

    /** Starts the record of a call; puts its id on the request's span. */
    public CallRecord begin(HttpServerRequest req, Span span) {
        CallRecord c = new CallRecord(AuditLog.newId());
        c.traceId = span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
        span.setAttribute("kubegate.audit.id", c.id);
        c.source = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        ToolCallMarker.Mark mcp = ToolCallMarker.take(req.headers());
        if (mcp != null) {
            c.mcpTool = mcp.tool();
            c.mcpSession = mcp.session();
            c.mcpCall = mcp.call();
            c.mcpJustification = mcp.justification();
            c.mcpAskFirst = mcp.askFirst();
            if (mcp.client() != null) c.source = mcp.client();
        }
        c.userAgent = req.getHeader("User-Agent");
        c.kubectlCommand = req.getHeader("Kubectl-Command");
        c.kubectlSession = req.getHeader("Kubectl-Session");
        c.method = req.method().name();
        c.uri = req.uri();
        return c;
    }

    public static boolean mutating(CallRecord c) {
        return c.info != null && MUTATING.contains(c.info.verb());
    }

    /**
     * Completes when the call may be forwarded: at once for reads, once the intent record is durable
     * for mutations. Fails with {@link AuditUnavailableException} when it cannot be recorded.
     */
    public CompletionStage<Void> beforeForward(CallRecord c) {
        AuditLog l = log;
        if (!config.audit().enabled() || !mutating(c)) {
            return CompletableFuture.completedFuture(null);
        }
        if (l == null) {
            return CompletableFuture.failedFuture(new AuditUnavailableException("the audit log is not started"));
        }
        ObjectNode e = safeEntry(c, "intent");
        c.intentWritten = true;
        return l.append(e, true).orTimeout(config.audit().writeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(a -> null);
    }

    /** Records how the call ended. Never fails the call: it is over; a failure is logged. */
    public void finish(CallRecord c) {
        AuditLog l = log;
        if (l == null || !config.audit().enabled()) {
            return;
        }
        ObjectNode entry = safeEntry(c, "call");
        l.append(entry, false).whenComplete((a, err) -> {
            if (err != null && !(err instanceof AuditUnavailableException)) {
                LOG.errorf(err, "audit record %s could not be written", c.id);
            }
            exportEvent(c, entry, a == null ? null : a.hash());
        });
        playbooks.observe(c);
    }

    /**
     * Records one MCP tool call ({@link ToolCallEntry}) in this replica's signed stream. Completes once
     * the record is durable; fails with {@link AuditUnavailableException} when it cannot be recorded
     * (callers whose tool had no other record refuse). At once when auditing is off.
     */
    public CompletionStage<Void> toolCall(ToolCallEntry t) {
        AuditLog l = log;
        if (!config.audit().enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        if (l == null) {
            return CompletableFuture.failedFuture(new AuditUnavailableException("the audit log is not started"));
        }
        return l.append(t.toJson(Canonical.JSON.createObjectNode()), true)
                .orTimeout(config.audit().writeTimeout().toMillis(), TimeUnit.MILLISECONDS).thenApply(a -> null);
    }

    /** The SIEM export sink, or null when {@code kubegate.audit.export.enabled} is off. */
    public K8sAuditExport export() {
        return export;
    }

    /** The call as a Kubernetes audit event for the SIEM export (even when the signed log failed: detection still wants it). */
    private void exportEvent(CallRecord c, ObjectNode entry, String hash) {
        K8sAuditExport x = export;
        if (x == null) {
            return;
        }
        try {
            K8sAuditEvent.Impersonated as = c.principal != null && config.upstream().impersonate()
                    ? new K8sAuditEvent.Impersonated(c.principal.impersonatedUser(), c.principal.groups()) : null;
            String uri = c.uri == null || c.uri.length() <= 4096 ? c.uri : c.uri.substring(0, 4096) + "…";
            x.write(K8sAuditEvent.from(entry, hash, uri, as));
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "audit record %s could not be exported as a Kubernetes audit event", c.id);
        }
    }

    /**
     * A recorder for an exec/attach call over WebSocket (null for anything else): the session goes to
     * {@code <dir>/recordings/<date>/<record id>.cast}, linked from the call's record with its SHA-256.
     */
    public dev.kubegate.upstream.UpgradeTunnel.Tap recorder(CallRecord c, HttpServerRequest req) {
        if (log == null || !config.audit().enabled() || c.info == null
                || !("exec".equals(c.info.subresource()) || "attach".equals(c.info.subresource()))
                || !"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
            return null;
        }
        String offered = req.getHeader("Sec-WebSocket-Protocol");
        boolean base64 = offered != null && java.util.Arrays.stream(offered.split(","))
                .allMatch(p -> p.strip().startsWith("base64."));
        Path file = auditDir(config).resolve("recordings").resolve(c.time.toString().substring(0, 10)).resolve(c.id + ".cast");
        String title = dev.kubegate.audit.Replay.kubectl(entry(c, "intent"));
        ExecRecorder r = new ExecRecorder(c.id, file, base64, c.mask.rules(), config.audit().maxRecording().bytes(), title);
        c.recorder = r;
        return r;
    }

    /**
     * A bounded copy of the answer for the call's record (null when none is kept): only at policy
     * audit level {@code RequestResponse}, and never for streams (watches, logs) that may not end.
     * At most {@code kubegate.audit.max-body} bytes are held per call.
     */
    public dev.kubegate.upstream.BodyCapture responseCapture(CallRecord c, boolean stream) {
        if (log == null || stream || c.level != PolicyDecision.AuditLevel.RequestResponse || !config.audit().enabled()) {
            return null;
        }
        c.response = new dev.kubegate.upstream.BodyCapture(maxBody);
        return c.response;
    }

    /** The entry; never lost over its optional parts: without the request object if that fails. */
    ObjectNode safeEntry(CallRecord c, String type) {
        try {
            return entry(c, type);
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "audit record %s: the request object could not be kept", c.id);
            c.requestObject = null;
            c.response = null;
            ObjectNode e = entry(c, type);
            e.put("requestObjectOmitted", "kubegate could not keep the object: " + bug);
            return e;
        }
    }

    ObjectNode entry(CallRecord c, String type) {
        ObjectNode e = Canonical.JSON.createObjectNode();
        e.put("type", type);
        e.put("id", type.equals("call") ? c.id : c.id + "/" + type);
        e.put("call", c.id);
        e.put("time", c.time.toString());
        if (c.traceId != null) e.put("trace", c.traceId);
        if (c.source != null) e.put("source", c.source);
        if (c.principal != null) {
            Principal p = c.principal;
            ObjectNode pn = e.putObject("principal");
            pn.put("name", p.name()).put("kind", p.kind()).put("id", p.id());
            ArrayNode g = pn.putArray("groups");
            p.groups().forEach(g::add);
            p.session().ifPresent(s -> e.put("session", s.id()));
        }
        ObjectNode client = e.putObject("client");
        if (c.userAgent != null) client.put("userAgent", c.userAgent);
        if (c.kubectlCommand != null) client.put("kubectlCommand", c.kubectlCommand);
        if (c.kubectlSession != null) client.put("kubectlSession", c.kubectlSession);
        if (c.mcpTool != null) {
            ObjectNode mcp = client.putObject("mcp").put("tool", c.mcpTool).put("session", c.mcpSession);
            if (c.mcpCall != null) mcp.put("call", c.mcpCall);
            if (c.mcpJustification != null) mcp.put("justification", c.mcpJustification);
        }
        ObjectNode r = e.putObject("request");
        r.put("method", c.method);
        if (c.info != null) {
            r.put("verb", c.info.verb()).put("path", c.info.path()).put("resourceRequest", c.info.isResourceRequest());
            if (c.info.isResourceRequest()) {
                r.put("apiGroup", c.info.apiGroup()).put("apiVersion", c.info.apiVersion())
                        .put("resource", c.info.resource()).put("subresource", c.info.subresource())
                        .put("namespace", c.info.namespace()).put("name", c.info.name());
                if (c.info.name().isEmpty() && c.requestObject != null) {
                    // A create names its object in the body: keep the name at every level.
                    String objectName = c.requestObject.path("metadata").path("name").asText("");
                    if (!objectName.isEmpty()) r.put("objectName", objectName);
                }
            }
            if (c.options != null && c.options.source() != dev.kubegate.k8s.EffectiveOptions.Source.NONE) {
                // What the API server applies, read where it reads it: a DELETE body silences its query.
                ObjectNode o = r.putObject("options").put("source", c.options.source().label()).put("dryRun", c.options.dryRun());
                if (c.options.propagationPolicy() != null) o.put("propagationPolicy", c.options.propagationPolicy());
                if (c.options.gracePeriodSeconds() != null) o.put("gracePeriodSeconds", c.options.gracePeriodSeconds());
                if (c.options.fieldManager() != null) o.put("fieldManager", c.options.fieldManager());
            }
            if (c.boundResourceVersion != null) r.put("conditionalOnResourceVersion", c.boundResourceVersion);
            if (c.query != null && !c.query.isEmpty()) {
                ObjectNode q = r.putObject("query");
                for (Map.Entry<String, List<String>> qe : c.query.asMap().entrySet()) {
                    ArrayNode vs = q.putArray(qe.getKey());
                    qe.getValue().forEach(v -> vs.add(v.length() > 4096 ? v.substring(0, 4096) + "…" : v));
                }
            }
        } else if (c.uri != null) {
            r.put("uri", c.uri.length() > 4096 ? c.uri.substring(0, 4096) + "…" : c.uri);
        }
        ObjectNode d = e.putObject("decision");
        d.put("result", c.decision);
        ArrayNode reasons = d.putArray("reasons");
        c.reasons.forEach(reasons::add);
        if (c.revision != null) d.put("policyRevision", c.revision);
        if (c.approvalId != null) d.put("approvalId", c.approvalId);
        if (c.approver != null) d.put("approver", c.approver);
        e.put("level", c.level.name());
        if (c.level != PolicyDecision.AuditLevel.Metadata && c.requestObject != null) {
            body(e, c);
        }
        if (type.equals("call")) {
            ObjectNode o = e.putObject("response");
            o.put("code", c.code);
            if (c.refusalReason != null) o.put("reason", c.refusalReason);
            if (c.refusalMessage != null) o.put("message", c.refusalMessage);
            o.put("complete", c.complete);
            e.put("latencyMs", c.elapsed().toMillis());
            e.put("bytesIn", c.bytesIn);
            e.put("bytesOut", c.bytesOut);
            if (c.masked >= 0) e.put("maskedFields", c.masked);
            if (c.level == PolicyDecision.AuditLevel.RequestResponse && c.response != null && c.response.length() > 0) {
                response(e, c);
            }
            if (c.recorder != null && c.recorder.sha256 != null) {
                ObjectNode rec = e.putObject("recording");
                rec.put("id", c.recorder.id).put("format", "asciicast-v2")
                        .put("path", auditDir(config).relativize(c.recorder.file).toString())
                        .put("sha256", c.recorder.sha256).put("bytes", c.recorder.bytes).put("truncated", c.recorder.truncated);
                if (c.recorder.ended != null) rec.put("sessionEnded", c.recorder.ended);
            } else if (c.recording != null) {
                e.putObject("recording").put("id", c.recording);
            }
            e.put("intent", c.intentWritten);
        }
        return e;
    }

    /**
     * The answer's object, as the client got it and masked again by the call's rules (the answer is
     * masked on its way only where masking applies); omitted, with the reason, when it was cut, is
     * over the limit or is not plain JSON (protobuf, compressed).
     */
    private void response(ObjectNode e, CallRecord c) {
        dev.kubegate.upstream.BodyCapture b = c.response;
        String type = b.contentType() == null ? "" : b.contentType().toLowerCase(java.util.Locale.ROOT);
        String why = null;
        if (!c.complete) {
            why = "the answer was cut off";
        } else if (b.truncated()) {
            why = "the answer is " + b.length() + " bytes, over kubegate.audit.max-body";
        } else if (b.contentEncoding() != null && !b.contentEncoding().equalsIgnoreCase("identity")) {
            why = "the answer is " + b.contentEncoding() + "-encoded";
        } else if (!type.contains("json")) {
            why = "the answer is " + (type.isEmpty() ? "untyped" : type) + ", not JSON";
        }
        if (why != null) {
            e.put("responseObjectOmitted", why);
            return;
        }
        try {
            StreamMasker m = masker(c);
            byte[] masked = WholeObjectMasker.maskAll(m, b.bytes());
            e.set("responseObject", Canonical.JSON.readTree(masked));
            e.put("responseObjectMaskedFields", m.maskedCount());
        } catch (IOException | MaskingException ex) {
            e.put("responseObjectOmitted", "the answer could not be masked: " + ex.getMessage());
        }
    }

    /**
     * Masks what the record keeps of a body: the call's patterns, Secret values (wherever they sit in
     * the Secret, see {@link WholeObjectMasker}) and credentials always, whatever the agent may see.
     */
    private static StreamMasker masker(CallRecord c) {
        ResourceHint hint = c.info == null || !c.info.isResourceRequest() ? ResourceHint.NONE
                : ResourceHint.of(c.info.apiGroup(), c.info.resource(), c.info.subresource());
        SecretValues known = hint == ResourceHint.SECRETS && c.currentObject != null
                ? SecretValues.ofSecret(c.currentObject.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                : new SecretValues();
        return WholeObjectMasker.forAnswer(c.mask.rulesForRecords(), hint, known);
    }

    /** The request object, masked by the call's rules and bounded; never the raw bytes of a secret. */
    private void body(ObjectNode e, CallRecord c) {
        try {
            byte[] raw = Canonical.JSON.writeValueAsBytes(c.requestObject);
            if (raw.length > maxBody) {
                e.put("requestObjectOmitted", "the object is " + raw.length + " bytes, over kubegate.audit.max-body");
                return;
            }
            StreamMasker m = masker(c);
            byte[] masked = WholeObjectMasker.maskAll(m, raw);
            JsonNode node = Canonical.JSON.readTree(masked);
            // A value masked where it sits may have been copied elsewhere (a JSON patch "copy" from
            // the object as it was into an annotation): every string loses what masking hides.
            HiddenValues.redactStrings(node, HiddenValues.of(c.requestObject, node.deepCopy()), JsonMasker.PLACEHOLDER);
            if (c.currentObject != null) {
                JsonNode current = Canonical.JSON.readTree(WholeObjectMasker.maskAll(masker(c),
                        Canonical.JSON.writeValueAsBytes(c.currentObject)));
                HiddenValues.redactStrings(node, HiddenValues.of(c.currentObject, current), JsonMasker.PLACEHOLDER);
            }
            e.set("requestObject", node);
            e.put("requestObjectMaskedFields", m.maskedCount());
        } catch (IOException | MaskingException ex) {
            e.put("requestObjectOmitted", "the object could not be masked: " + ex.getMessage());
        }
    }

    /**
     * Records a session, identity or approval lifecycle event. Fired synchronously by the feature that
     * acts: throwing here makes that action fail, so nothing happens unrecorded. On a worker thread the
     * event is waited for until durable; on an event loop (which must not block) it is accepted once
     * queued in order behind every earlier record.
     */
    void onLifecycle(@Observes LifecycleEvent event) {
        if (!config.audit().enabled()) {
            return;
        }
        AuditLog l = log;
        if (l == null) {
            if (serving) {
                throw new AuditUnavailableException("the audit log is not started; " + event.type() + " is refused");
            }
            return;
        }
        ObjectNode e = Canonical.JSON.createObjectNode();
        e.put("type", "lifecycle");
        e.put("event", event.type());
        e.put("time", (event.at() == null ? java.time.Instant.now() : event.at()).toString());
        if (event.principal() != null) e.put("principal", event.principal());
        if (event.sessionId() != null) e.put("session", event.sessionId());
        if (event.actor() != null) e.put("actor", event.actor());
        ObjectNode details = e.putObject("details");
        new java.util.TreeMap<>(event.details()).forEach(details::put);
        Span span = Span.current();
        if (span.getSpanContext().isValid()) e.put("trace", span.getSpanContext().getTraceId());
        CompletableFuture<AuditLog.Appended> f = l.append(e, true);
        if (Context.isOnEventLoopThread()) {
            if (f.isCompletedExceptionally()) {
                f.join(); // throws the AuditUnavailableException
            }
            return;
        }
        try {
            f.get(config.audit().writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException re ? re : new AuditUnavailableException(ex.getMessage(), ex);
        } catch (TimeoutException ex) {
            throw new AuditUnavailableException("the audit log did not record " + event.type() + " in time", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while recording " + event.type(), ex);
        }
    }
}
