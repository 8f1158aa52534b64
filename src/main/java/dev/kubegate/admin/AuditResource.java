package dev.kubegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.audit.AuditLog;
import dev.kubegate.audit.AuditQuery;
import dev.kubegate.audit.AuditVerifier;
import dev.kubegate.audit.LogSource;
import dev.kubegate.audit.Segments;
import dev.kubegate.audit.SigningKeys;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.k8s.Status;
import dev.kubegate.trail.AuditTrail;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /kubegate/v1/audit}: the public keys that sign checkpoints, verification of the local audit
 * directory, search and session replay. Blocking file reads: JAX-RS runs these on worker threads.
 */
@Path("/kubegate/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_REPLAY = 10_000;

    @Inject
    KubegateConfig config;

    @Inject
    AuditTrail trail;

    private LogSource local() {
        return LogSource.directory(AuditTrail.auditDir(config));
    }

    @GET
    @Path("keys")
    public Response keys() throws IOException {
        List<Map<String, Object>> keys = new ArrayList<>();
        java.nio.file.Path dir = AuditTrail.auditDir(config).resolve(Segments.KEYS);
        for (Map.Entry<String, PublicKey> k : SigningKeys.readPublicKeys(dir).entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("keyId", k.getKey());
            m.put("algorithm", SigningKeys.ALGORITHM);
            m.put("publicKeyPem", SigningKeys.publicPem(k.getValue()));
            m.put("publicKeyHex", SigningKeys.rawHex(k.getValue()));
            AuditLog log = trail.log();
            m.put("current", log != null && log.signer().keyId().equals(k.getKey()));
            keys.add(m);
        }
        return Response.ok(Map.of("keys", keys)).build();
    }

    @POST
    @Path("verify")
    public Response verify() throws IOException {
        AuditVerifier.Report r = AuditVerifier.verify(local(), Map.of());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", r.ok());
        out.put("source", r.source());
        out.put("streams", r.streams());
        return Response.ok(out).build();
    }

    @GET
    @Path("events")
    public Response events(@QueryParam("session") String session, @QueryParam("principal") String principal,
                           @QueryParam("verb") String verb, @QueryParam("resource") String resource,
                           @QueryParam("namespace") String namespace, @QueryParam("decision") String decision,
                           @QueryParam("since") String since, @QueryParam("until") String until,
                           @QueryParam("limit") String limit) throws IOException {
        Instant from;
        Instant to;
        int max;
        try {
            from = time("since", since);
            to = time("until", until);
            max = limit == null ? DEFAULT_LIMIT : Integer.parseInt(limit);
            if (max < 1 || max > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
            }
            if (decision != null && !List.of("allow", "deny", "approval", "error", "none").contains(decision)) {
                throw new IllegalArgumentException("decision must be allow, deny, approval, error or none");
            }
        } catch (NumberFormatException e) {
            return bad("limit must be a number");
        } catch (IllegalArgumentException e) {
            return bad(e.getMessage());
        }
        AuditQuery.Result r = AuditQuery.search(local(),
                new AuditQuery.Filter(blank(session), blank(principal), blank(verb), blank(resource), blank(namespace),
                        blank(decision), from, to), max);
        return Response.ok(Map.of("items", r.items(), "truncated", r.truncated())).build();
    }

    @GET
    @Path("sessions/{id}/replay")
    public Response replay(@PathParam("id") String id) throws IOException {
        AuditQuery.Result r = AuditQuery.search(local(),
                new AuditQuery.Filter(id, null, null, null, null, null, null, null), MAX_REPLAY);
        List<JsonNode> calls = r.items().stream().filter(n -> !n.path("type").asText().equals("lifecycle")).toList();
        return Response.ok(Map.of("session", id, "items", r.items(), "calls", calls.size(), "truncated", r.truncated())).build();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** RFC 3339 time, or a duration back from now ({@code 15m}, {@code 2h}, {@code 1d}). */
    static Instant time(String name, String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(v);
            if (!m.matches()) {
                throw new IllegalArgumentException(name + " must be an RFC 3339 time or a duration like 15m, 2h, 1d");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return Instant.now().minus(d);
        }
    }

    private static Response bad(String message) {
        Status s = Status.badRequest(message);
        return StatusResponse.of(s);
    }
}
