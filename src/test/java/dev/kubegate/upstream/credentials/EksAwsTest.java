package dev.kubegate.upstream.credentials;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The AWS SDK wiring, against a local stand-in for the EKS API (loopback only, no AWS). */
class EksAwsTest {

    @Test
    void describeClusterReadsEndpointAndCaThroughTheUrlConnectionClient() throws Exception {
        String ca = TestPki.selfSigned(TestPki.ec(), "eks-ca");
        AtomicReference<String> seen = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            seen.set(ex.getRequestMethod() + " " + ex.getRequestURI() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("{\"cluster\":{\"name\":\"prod\",\"status\":\"ACTIVE\",\"endpoint\":\"https://ABC.gr7.eu-west-1.eks.amazonaws.com\","
                    + "\"certificateAuthority\":{\"data\":\"" + TestPki.b64(ca) + "\"}}}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        String property = "aws.endpointUrlEks"; // the SDK's per-service endpoint override
        System.setProperty(property, "http://127.0.0.1:" + server.getAddress().getPort());
        try {
            EksAws.ClusterInfo info = EksAws.describe("prod", Region.EU_WEST_1,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")));
            assertThat(info.endpoint()).isEqualTo("https://ABC.gr7.eu-west-1.eks.amazonaws.com");
            assertThat(info.caPem()).contains(ca);
            assertThat(seen.get()).startsWith("GET /clusters/prod auth=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/eu-west-1/eks/aws4_request");
        } finally {
            System.clearProperty(property);
            server.stop(0);
        }
    }

    @Test
    void roleArnWrapsTheDefaultChainInAnAssumeRoleProvider() {
        List<AutoCloseable> resources = new ArrayList<>();
        var provider = EksAws.credentials(Optional.of("arn:aws:iam::111122223333:role/kubegate"), Region.US_EAST_1,
                Map.of("HOSTNAME", "pod-1"), resources);
        assertThat(provider).isInstanceOf(StsAssumeRoleCredentialsProvider.class);
        assertThat(resources).hasSize(3).last().isSameAs(provider);
        resources.forEach(r -> {
            try {
                r.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<AutoCloseable> plain = new ArrayList<>();
        assertThat(EksAws.credentials(Optional.empty(), Region.US_EAST_1, Map.of(), plain)).isSameAs(plain.get(0));
    }

    @Test
    void regionComesFromSettingThenEnvironment() {
        assertThat(EksAws.region(Optional.of("eu-north-1"), Map.of("AWS_REGION", "us-east-1"))).isEqualTo(Region.EU_NORTH_1);
        assertThat(EksAws.region(Optional.empty(), Map.of("AWS_DEFAULT_REGION", "ca-central-1"))).isEqualTo(Region.CA_CENTRAL_1);
    }
}
