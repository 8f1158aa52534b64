package dev.kubegate.cli;

import dev.kubegate.audit.AuditVerifier;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.LogSource;
import dev.kubegate.audit.SigningKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kubegate audit verify <dir-or-s3-uri>}: checks every writer stream's hash chain, checkpoint
 * signatures and signed head; prints the first problem of each stream with its position. Exit code
 * 0 when everything verifies, 1 when something was tampered with or is missing, 2 when it cannot read.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify an audit log (a directory or s3://bucket/prefix): hash chains, signed checkpoints, truncation.")
public class AuditVerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<dir-or-s3-uri>", description = "The audit directory (kubegate.audit.dir) or s3://bucket/prefix.")
    String location;

    @Option(names = "--key", paramLabel = "FILE", description = "Trusted public key (PEM); repeatable. Default: the keys published with the log (keys/*.pub).")
    List<Path> keys;

    @picocli.CommandLine.Mixin
    OutputOption output;

    /** Deprecated spelling of {@code -o json}; hidden, kept so existing scripts work. */
    @Option(names = "--json", hidden = true)
    void deprecatedJson(boolean json) {
        Deprecation.warn("--json", "-o json");
        legacyJson = json;
    }

    private boolean legacyJson;

    OutputFormat format() {
        return legacyJson ? OutputFormat.json : output.format;
    }

    @jakarta.inject.Inject
    dev.kubegate.config.KubegateConfig config;

    private static Map<String, Object> report(AuditVerifier.Report r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("ok", r.ok());
        m.put("source", r.source());
        m.put("streams", r.streams());
        return m;
    }

    @Override
    public Integer call() {
        try {
            Map<String, PublicKey> trusted = new HashMap<>();
            if (keys != null) {
                for (Path k : keys) {
                    PublicKey pk = SigningKeys.readPublic(Files.readString(k, StandardCharsets.US_ASCII), k);
                    trusted.put(SigningKeys.keyId(pk), pk);
                }
            }
            LogSource source = Sources.open(location, config.audit().s3());
            AuditVerifier.Report r = AuditVerifier.verify(source, trusted);
            if (format() != OutputFormat.table) {
                format().print(System.out, Canonical.JSON.valueToTree(
                        report(r)), () -> { });
            } else {
                if (r.streams().isEmpty()) {
                    System.out.println("FAIL " + r.source() + ": no audit stream found");
                }
                for (AuditVerifier.StreamReport s : r.streams()) {
                    if (s.ok()) {
                        System.out.printf("OK   stream %s: %d entries in %d segments, seq %d..%d, last signed checkpoint at seq %d%s%n",
                                s.stream(), s.entries(), s.segments(), s.firstSeq(), s.lastSeq(), s.lastCheckpointSeq(),
                                s.unsignedTail() == 0 ? "" : " (" + s.unsignedTail() + " entries after it not yet signed)");
                    } else {
                        AuditVerifier.Problem p = s.problem();
                        System.out.printf("FAIL stream %s: %s at %s line %d%s: %s%n", s.stream(), p.kind(), p.segment(), p.line(),
                                p.seq() >= 0 ? " (seq " + p.seq() + ")" : "", p.message());
                    }
                }
            }
            return r.ok() ? 0 : 1;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("kubegate: cannot verify " + location + ": " + e.getMessage());
            return 2;
        }
    }
}
