package dev.kubegate.mcp.bench;

import dev.kubegate.testing.GatewayProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What the MCP layer adds to one call, run by hand against a running kubegate (docs/performance.md):
 * sequential {@code GET /api/v1/namespaces/<ns>/configmaps/<name>} through kubegate, then the same
 * object via {@code tools/call resources_get} on {@code /kubegate/mcp}, over one kept-alive
 * connection each; prints p50/p90/p99 of both and the difference of the medians.
 *
 * <pre>java -cp target/test-classes dev.kubegate.mcp.bench.McpToolBenchmark https://127.0.0.1:8443 TOKEN data/tls/ca.crt default NAME 2000</pre>
 */
public final class McpToolBenchmark {

    public static void main(String[] args) throws Exception {
        String base = args[0], token = args[1], ns = args[3], name = args[4];
        int n = Integer.parseInt(args[5]);
        HttpClient http = HttpClient.newBuilder().sslContext(GatewayProcess.trusting(Path.of(args[2]))).build();
        HttpRequest direct = HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/" + ns + "/configmaps/" + name))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json").build();
        HttpResponse<String> init = http.send(mcp(base, token, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"""),
                HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpRequest tool = mcp(base, token, session, """
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"resources_get","arguments":{"apiVersion":"v1","kind":"ConfigMap","namespace":"%s","name":"%s"}}}"""
                .formatted(ns, name));
        for (int round = 0; round < 2; round++) { // the first round warms up both paths
            long[] d = time(http, direct, n, "\"kind\":\"ConfigMap\"");
            long[] t = time(http, tool, n, "kind: ConfigMap");
            if (round == 1) {
                System.out.printf("direct GET          p50 %.3f ms  p90 %.3f ms  p99 %.3f ms%n", ms(d, 50), ms(d, 90), ms(d, 99));
                System.out.printf("tools/call (MCP)    p50 %.3f ms  p90 %.3f ms  p99 %.3f ms%n", ms(t, 50), ms(t, 90), ms(t, 99));
                System.out.printf("added by MCP        p50 %.3f ms (n=%d each)%n", ms(t, 50) - ms(d, 50), n);
            }
        }
    }

    private static HttpRequest mcp(String base, String token, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/kubegate/mcp")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
        return b.build();
    }

    private static long[] time(HttpClient http, HttpRequest req, int n, String expect) throws Exception {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            out[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200 || !r.body().contains(expect)) {
                throw new IllegalStateException("unexpected answer " + r.statusCode() + ": " + r.body());
            }
        }
        Arrays.sort(out);
        return out;
    }

    private static double ms(long[] sorted, int pct) {
        return sorted[Math.min(sorted.length - 1, sorted.length * pct / 100)] / 1e6;
    }
}
