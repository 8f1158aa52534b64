package dev.kubegate.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.IdentitySuspender;
import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.audit.PlaybookRules;
import dev.kubegate.config.KubegateConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Response playbooks: each finished call feeds {@link PlaybookRules}; a rule that fires becomes a
 * {@code playbook.action} lifecycle event (so it is recorded in the audit trail like any other),
 * suspends the identity when {@code kubegate.audit.playbooks.suspend} is on and an
 * {@link IdentitySuspender} exists, and is posted to the webhook. Runs on the call's event loop;
 * the suspension completes asynchronously and the action is recorded once it did; the webhook is
 * sent asynchronously and its failure only logged.
 */
@ApplicationScoped
public class Playbooks {

    private static final Logger LOG = Logger.getLogger(Playbooks.class);
    /** The actor named in the records of what playbooks do. */
    static final String ACTOR = "kubegate-playbook";

    @Inject
    KubegateConfig config;

    @Inject
    Event<LifecycleEvent> events;

    @Inject
    Instance<IdentitySuspender> suspender;

    @Inject
    Vertx vertx;

    private volatile PlaybookRules rules;
    private volatile HttpClient webhookClient;

    private PlaybookRules rules() {
        PlaybookRules r = rules;
        if (r == null) {
            KubegateConfig.Audit.Playbooks p = config.audit().playbooks();
            r = new PlaybookRules(new PlaybookRules.Settings(p.window(), p.maxDenials(), p.maxDeletes(),
                    new HashSet<>(p.protectedNamespaces().orElse(List.of()))));
            rules = r;
        }
        return r;
    }

    void observe(CallRecord c) {
        if (!config.audit().playbooks().enabled() || c.principal == null || c.info == null) {
            return;
        }
        String identity = c.principal.session().map(s -> "session:" + s.id()).orElse("principal:" + c.principal.name());
        for (PlaybookRules.Trigger t : rules().observe(identity, Instant.now(), c.info.verb(), c.info.deletesObjects(), c.info.namespace(), c.decision)) {
            act(t, c);
        }
    }

    private void act(PlaybookRules.Trigger t, CallRecord c) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("rule", t.rule());
        details.put("detail", t.detail());
        details.put("call", c.id);
        String principal = c.principal.name();
        if (!config.audit().playbooks().suspend()) {
            details.put("action", "notified");
            record(t, c, principal, details);
        } else if (!suspender.isResolvable()) {
            details.put("action", "suspension unavailable (no IdentitySuspender in this build)");
            record(t, c, principal, details);
        } else {
            CompletionStage<Void> done;
            try {
                done = suspender.get().suspend(principal, ACTOR, "playbook " + t.rule() + ": " + t.detail());
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            done.whenComplete((ok, e) -> {
                if (e == null) {
                    details.put("action", "suspended");
                } else {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    details.put("action", "suspension failed: " + cause.getMessage());
                }
                record(t, c, principal, details);
            });
        }
    }

    /** Records the action (after the suspension, so its record says how that went) and notifies. */
    private void record(PlaybookRules.Trigger t, CallRecord c, String principal, Map<String, String> details) {
        try {
            events.fire(new LifecycleEvent("playbook.action", Instant.now(), principal,
                    c.principal.session().map(s -> s.id()).orElse(null), ACTOR, details));
        } catch (RuntimeException e) {
            LOG.errorf("playbook %s for %s could not be recorded: %s", t.rule(), principal, e.getMessage());
        }
        config.audit().playbooks().webhook().ifPresent(url -> notify(url, principal, details));
    }

    private void notify(java.net.URI url, String principal, Map<String, String> details) {
        ObjectNode body = Canonical.JSON.createObjectNode();
        body.put("type", "playbook.action").put("principal", principal).put("time", Instant.now().toString());
        details.forEach(body::put);
        HttpClient client = webhookClient;
        if (client == null) {
            client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setTrustAll(false));
            webhookClient = client;
        }
        RequestOptions o = new RequestOptions().setAbsoluteURI(url.toString()).setMethod(HttpMethod.POST).setTimeout(10_000)
                .putHeader("Content-Type", "application/json");
        client.request(o).compose(req -> req.send(Buffer.buffer(body.toString())))
                .onComplete(ar -> {
                    if (ar.failed() || ar.result().statusCode() / 100 != 2) {
                        LOG.warnf("playbook webhook %s failed: %s", url, ar.failed() ? ar.cause().getMessage() : "HTTP " + ar.result().statusCode());
                    }
                });
    }
}
