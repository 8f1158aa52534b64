package dev.kubegate.audit.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.AuditLog;
import dev.kubegate.audit.AuditVerifier;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.FsyncPolicy;
import dev.kubegate.audit.Segments;
import dev.kubegate.audit.SigningKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The S3 sink against a real S3-compatible server (s3rver): shipping, verification from the bucket, an outage. */
class S3ShipperTest {

    static final StaticCredentialsProvider CREDS = StaticCredentialsProvider.create(AwsBasicCredentials.create("S3RVER", "S3RVER"));

    @TempDir
    Path tmp;
    S3Server server;
    S3Location where;
    S3Shipper shipper;
    AuditLog log;
    Path root;

    @BeforeEach
    void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(tmp.resolve("s3"));
        server = new S3Server(tmp.resolve("s3"), port, "audit").start();
        where = new S3Location("audit", "prod", "us-east-1", Optional.of(server.endpoint()));
        root = tmp.resolve("wal");
        Files.createDirectories(root);
    }

    void open(long maxPending) throws Exception {
        shipper = new S3Shipper(where, where.client(CREDS), root, "r1", Optional.of(Duration.ofDays(1)), "GOVERNANCE",
                maxPending, Duration.ofMillis(200), Clock.systemUTC());
        log = new AuditLog(new AuditLog.Options(root, "r1", FsyncPolicy.ALWAYS, 2048, Duration.ofHours(1),
                Duration.ofHours(1), 10_000, Duration.ofMillis(50)),
                SigningKeys.loadOrGenerate(tmp.resolve("key.pem")), Clock.systemUTC(), shipper::sealed);
    }

    @AfterEach
    void stop() throws Exception {
        if (log != null) log.close();
        if (shipper != null) shipper.close();
        server.close();
    }

    void write(String prefix, int n) throws Exception {
        List<CompletableFuture<AuditLog.Appended>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode e = Canonical.JSON.createObjectNode().put("type", "call").put("id", prefix + i).put("verb", "create");
            all.add(log.append(e, false));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }

    int closedSegments() throws Exception {
        return Segments.list(root.resolve("r1")).size() - 1;
    }

    List<String> bucketSegments(S3Client s3) {
        List<String> keys = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2(b -> b.bucket("audit").prefix("prod/r1/")).contents()) {
            if (o.key().endsWith(".jsonl")) keys.add(o.key());
        }
        return keys;
    }

    @Test
    void closedSegmentsAreShippedAndTheBucketVerifiesAndTamperingIsFound() throws Exception {
        open(1 << 30);
        write("a", 80);
        S3Client s3 = where.client(CREDS);
        await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
            assertThat(shipper.pendingBytes()).isZero();
            assertThat(bucketSegments(s3)).hasSize(closedSegments());
        });
        assertThat(closedSegments()).isGreaterThan(3);
        S3LogSource bucket = new S3LogSource(where, s3);
        AuditVerifier.Report ok = AuditVerifier.verify(bucket, Map.of());
        assertThat(ok.streams()).hasSize(1);
        assertThat(ok.streams().get(0).problem()).isNull();

        String key = bucketSegments(s3).get(1);
        String body = new String(s3.getObjectAsBytes(b -> b.bucket("audit").key(key)).asByteArray(), StandardCharsets.UTF_8);
        s3.putObject(b -> b.bucket("audit").key(key), RequestBody.fromString(body.replaceFirst("\"verb\":\"create\"", "\"verb\":\"delete\"")));
        AuditVerifier.Problem p = AuditVerifier.verify(bucket, Map.of()).streams().get(0).problem();
        assertThat(p.kind()).isEqualTo("modified");
        assertThat(p.segment()).isEqualTo(key.substring(key.lastIndexOf('/') + 1));
        assertThat(p.line()).isEqualTo(1);
    }

    @Test
    void anOutageFailsClosedOnceTheBacklogIsFullAndShipsEverythingOnceAfter() throws Exception {
        open(4096);
        write("a", 20);
        S3Client s3 = where.client(CREDS);
        await().atMost(20, TimeUnit.SECONDS).until(() -> shipper.pendingBytes() == 0 && bucketSegments(s3).size() == closedSegments());

        server.stop();
        write("b", 60);
        await().atMost(20, TimeUnit.SECONDS).until(() -> shipper.failure() != null);
        assertThat(shipper.failure()).contains("max-pending");

        server.start();
        await().atMost(20, TimeUnit.SECONDS).until(() -> shipper.failure() == null && shipper.pendingBytes() == 0);
        await().atMost(10, TimeUnit.SECONDS).until(() -> bucketSegments(s3).size() == closedSegments());
        List<String> keys = bucketSegments(s3);
        assertThat(keys).doesNotHaveDuplicates();
        AuditVerifier.StreamReport r = AuditVerifier.verify(new S3LogSource(where, s3), Map.of()).streams().get(0);
        assertThat(r.problem()).isNull();
        // The bucket holds every entry up to the last closed segment's closing checkpoint.
        List<Path> local = Segments.list(root.resolve("r1"));
        assertThat(r.lastSeq()).isEqualTo(Segments.firstSeq(local.get(local.size() - 1)) - 1);
    }
}
