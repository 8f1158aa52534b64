package dev.kubegate.trail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.upstream.Exchange;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the audit trail learns about one API call as it goes through the gateway's pipeline; turned
 * into the call's record when the call ends ({@link AuditTrail#finish}). Filled by the request's
 * event loop only (not thread-safe). The gateway keeps it in the routing context under {@link #KEY}
 * so later steps (approvals, masking) can add what they know.
 */
public final class CallRecord {

    /** Routing-context key of the call's record. */
    public static final String KEY = CallRecord.class.getName();

    final String id;
    final long startedNanos = System.nanoTime();
    final Instant time = Instant.now();
    String traceId;
    String source;
    String userAgent;
    String kubectlCommand;
    String kubectlSession;
    /** The MCP tool and session a call was made for (kubegate's MCP server; {@link ToolCallMarker}). */
    String mcpTool;
    String mcpSession;
    /** The tool call's own record id, and why the agent makes the call (MCP elicitation), when known. */
    String mcpCall;
    String mcpJustification;
    boolean mcpAskFirst;
    String method;
    String uri;
    RequestInfo info;
    QueryParams query;
    Principal principal;
    String decision = "none";
    List<String> reasons = List.of();
    String revision;
    PolicyDecision.AuditLevel level = PolicyDecision.AuditLevel.Metadata;
    PolicyDecision.Mask mask = PolicyDecision.Mask.SECRETS_ONLY;
    String approvalId;
    String approver;
    int code;
    String refusalReason;
    String refusalMessage;
    long bytesIn;
    long bytesOut;
    boolean complete = true;
    long masked = -1;
    JsonNode requestObject;
    /** The object a write changes, as it was (never recorded: its Secret values mask the request object). */
    JsonNode currentObject;
    /** The options the API server applies (where it reads them), as policy saw them. */
    dev.kubegate.k8s.EffectiveOptions options;
    /** The resourceVersion the forwarded write was made conditional on, or null. */
    String boundResourceVersion;
    /** The answer as sent, at level RequestResponse for calls that end (see {@link AuditTrail#responseCapture}). */
    dev.kubegate.upstream.BodyCapture response;
    boolean intentWritten;
    String recording;
    ExecRecorder recorder;

    CallRecord(String id) {
        this.id = id;
    }

    /** The record id: on the request's span as {@code kubegate.audit.id}. */
    public String id() {
        return id;
    }

    /** {@link System#nanoTime()} when the call arrived. */
    public long started() {
        return startedNanos;
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    public void classified(RequestInfo info, QueryParams query) {
        this.info = info;
        this.query = query;
    }

    public void authenticated(Principal principal) {
        this.principal = principal;
    }

    /** The object policy judged (a write's body, decoded or resolved by dry run); kept masked at level Request and above. */
    public void requestObject(JsonNode object) {
        this.requestObject = object;
    }

    /** The object an update, patch or delete changes, as it is now; only used to mask what is recorded. */
    public void currentObject(JsonNode object) {
        this.currentObject = object;
    }

    /** The options the API server applies to this call, as policy judged them. */
    public void options(dev.kubegate.k8s.EffectiveOptions options) {
        this.options = options;
    }

    /** The write was forwarded conditional on this resourceVersion (the state policy judged). */
    public void boundResourceVersion(String resourceVersion) {
        this.boundResourceVersion = resourceVersion;
    }

    public void decided(PolicyDecision d, String revision) {
        this.decision = d.allow() ? "allow" : d.approval().required() ? "approval" : "deny";
        this.reasons = d.reasons();
        this.revision = revision;
        this.level = d.audit().level();
        this.mask = d.mask();
    }

    public void decisionFailed(String revision) {
        this.decision = "error";
        this.revision = revision;
    }

    /** The approval that let this call through (or that it waits for), and who approved it. */
    public void approval(String approvalId, String approver) {
        this.approvalId = approvalId;
        this.approver = approver;
    }

    /** Fields masked in the answer, when the masking step counted them. */
    public void masked(long count) {
        this.masked = count;
    }

    /** The exec/attach recording linked to this call. */
    public void recording(String recordingId) {
        this.recording = recordingId;
    }

    public void refused(Status status) {
        this.code = status.code();
        this.refusalReason = status.reason();
        this.refusalMessage = status.message();
    }

    public void relayed(int code, long bytesOut, String why) {
        this.code = code;
        this.bytesOut = bytesOut;
        this.refusalMessage = why;
    }

    public void exchanged(Exchange x) {
        this.code = x.status();
        this.bytesIn = x.requestBytes();
        this.bytesOut = x.responseBytes();
        this.complete = x.complete();
    }

    public RequestInfo info() {
        return info;
    }

    /** The justification the agent's MCP client gave for this call (elicitation), or null. */
    public String mcpJustification() {
        return mcpJustification;
    }

    /** The call comes from an MCP client that can be asked for a justification before an approval request is made. */
    public boolean mcpAsksJustificationFirst() {
        return mcpAskFirst && mcpJustification == null;
    }
}
