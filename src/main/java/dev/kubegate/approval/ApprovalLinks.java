package dev.kubegate.approval;

import dev.kubegate.config.KubegateConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where approvers are sent to decide: the approvals page of this kubegate. The base comes only from
 * the operator's configuration, never from a request — an agent chooses its {@code Host},
 * {@code :authority} and {@code X-Forwarded-Host} headers, and a link built from them would send the
 * approver (and the admin token typed into the page) to the agent's own server. In order:
 * {@code kubegate.approval.public-url}; else the first name the serving certificate is configured
 * for ({@code kubegate.tls.sans}, else the DNS names of {@code kubegate.tls.cert-file}) with the
 * HTTPS port; else no link at all, and approvers are told the id and the CLI command.
 */
@ApplicationScoped
public class ApprovalLinks {

    private static final Logger LOG = Logger.getLogger(ApprovalLinks.class);

    @Inject
    KubegateConfig config;

    @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
    int sslPort;

    private volatile Optional<String> base;

    /** Reads the certificate file (blocking) at start-up, never on a call's event loop. */
    void onStart(@Observes StartupEvent event) {
        base();
    }

    /** The page of approval {@code id}, or null when no base is configured. */
    public String page(String id) {
        return base().map(b -> b + "/kubegate/ui/#/approvals/" + id).orElse(null);
    }

    /** The command an approver runs when there is no page link (or instead of it). */
    public static String command(String id) {
        return "kubegate approvals approve " + id;
    }

    /** The configured public base URL of this kubegate ({@code https://host[:port]}), if any. */
    public Optional<String> base() {
        Optional<String> b = base;
        if (b == null) {
            List<String> certNames = config.tls().certFile().map(ApprovalLinks::certificateNames).orElse(List.of());
            b = choose(config.approval().publicUrl(), config.tls().sans().orElse(List.of()), certNames, sslPort);
            base = b;
            LOG.infof("approval links: %s", b.map(s -> s + "/kubegate/ui/").orElse(
                    "none configured (kubegate.approval.public-url, kubegate.tls.sans): approvers get the id and the CLI command"));
        }
        return b;
    }

    /**
     * The base URL from configuration alone: {@code publicUrl}, else the first usable name of
     * {@code sans} then {@code certNames} (DNS names before IP addresses; wildcards and loopback
     * names are skipped: nobody else can open them) on {@code port}.
     */
    static Optional<String> choose(Optional<String> publicUrl, Collection<String> sans, Collection<String> certNames, int port) {
        if (publicUrl.isPresent() && !publicUrl.get().isBlank()) {
            String u = publicUrl.get().strip();
            while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
            return Optional.of(u);
        }
        List<String> names = new ArrayList<>(sans);
        names.addAll(certNames);
        Optional<String> host = names.stream().map(String::strip).filter(ApprovalLinks::usable).filter(n -> !isIp(n)).findFirst()
                .or(() -> names.stream().map(String::strip).filter(ApprovalLinks::usable).filter(ApprovalLinks::isIp).findFirst());
        return host.map(h -> "https://" + (h.contains(":") ? "[" + h + "]" : h) + (port == 443 ? "" : ":" + port));
    }

    private static boolean usable(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.isEmpty() || n.contains("*") || n.equals("localhost") || n.endsWith(".localhost")
                || n.startsWith("127.") || n.equals("::1") || n.equals("0.0.0.0") || n.equals("::")) {
            return false;
        }
        try {
            // Only a plain host name or address may go into the URL.
            return URI.create("https://" + (n.contains(":") ? "[" + n + "]" : n) + "/").getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isIp(String n) {
        return n.contains(":") || n.matches("[0-9.]+");
    }

    /** DNS names (then IPs) of the operator's certificate; none when it cannot be read. */
    static List<String> certificateNames(Path pem) {
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2) dns.add(String.valueOf(san.get(1)));
                    if (type == 7) ips.add(String.valueOf(san.get(1)));
                }
            }
        } catch (Exception e) {
            LOG.warnf("approval links: cannot read the names of %s: %s", pem, e.toString());
        }
        dns.addAll(ips);
        return dns;
    }
}
