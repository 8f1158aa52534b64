package dev.kubegate.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OpenTelemetry collector for tests: accepts OTLP/HTTP protobuf trace exports
 * ({@code POST /v1/traces}, an {@code ExportTraceServiceRequest}) on loopback and keeps the spans.
 * Decodes the protobuf wire format itself, for the fields tests assert on (field numbers from
 * opentelemetry-proto trace/v1/trace.proto and common/v1/common.proto).
 */
public final class OtlpReceiver implements AutoCloseable {

    /** Span kinds, as numbered in trace.proto. */
    public static final int INTERNAL = 1, SERVER = 2, CLIENT = 3;

    public record Span(String traceId, String spanId, String parentSpanId, String name, int kind,
                       Map<String, Object> attributes, int statusCode) {
        public Object attribute(String key) {
            return attributes.get(key);
        }
    }

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        OtlpReceiver r = new OtlpReceiver(s);
        s.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                        body = in.readAllBytes();
                    }
                }
                try {
                    r.spans.addAll(decodeRequest(body));
                } catch (RuntimeException e) {
                    r.problems.add(exchange.getRequestURI() + ": " + e);
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
            }
        });
        s.start();
        return r;
    }

    /** Base URL for {@code quarkus.otel.exporter.otlp.traces.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Span> spans() {
        if (!problems.isEmpty()) {
            throw new AssertionError("undecodable OTLP exports: " + problems);
        }
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // --- protobuf wire format

    static List<Span> decodeRequest(byte[] body) {
        List<Span> out = new ArrayList<>();
        for (Wire.Field rs : new Wire(body).fields()) {
            if (rs.number != 1) continue; // resource_spans
            for (Wire.Field ss : new Wire(rs.bytes).fields()) {
                if (ss.number != 2) continue; // scope_spans
                for (Wire.Field sp : new Wire(ss.bytes).fields()) {
                    if (sp.number == 2) out.add(decodeSpan(sp.bytes)); // spans
                }
            }
        }
        return out;
    }

    private static Span decodeSpan(byte[] b) {
        String traceId = null, spanId = null, parent = "", name = null;
        int kind = 0, status = 0;
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (Wire.Field f : new Wire(b).fields()) {
            switch (f.number) {
                case 1 -> traceId = HexFormat.of().formatHex(f.bytes);
                case 2 -> spanId = HexFormat.of().formatHex(f.bytes);
                case 4 -> parent = HexFormat.of().formatHex(f.bytes);
                case 5 -> name = new String(f.bytes, StandardCharsets.UTF_8);
                case 6 -> kind = (int) f.varint;
                case 9 -> keyValue(f.bytes, attrs);
                case 15 -> {
                    for (Wire.Field s : new Wire(f.bytes).fields()) if (s.number == 3) status = (int) s.varint;
                }
                default -> { }
            }
        }
        return new Span(traceId, spanId, parent, name, kind, attrs, status);
    }

    private static void keyValue(byte[] b, Map<String, Object> into) {
        String key = null;
        Object value = null;
        for (Wire.Field f : new Wire(b).fields()) {
            if (f.number == 1) key = new String(f.bytes, StandardCharsets.UTF_8);
            if (f.number == 2) {
                for (Wire.Field v : new Wire(f.bytes).fields()) {
                    value = switch (v.number) {
                        case 1 -> new String(v.bytes, StandardCharsets.UTF_8);
                        case 2 -> v.varint != 0;
                        case 3 -> v.varint;
                        case 4 -> Double.longBitsToDouble(v.fixed);
                        default -> "(unsupported AnyValue field " + v.number + ")";
                    };
                }
            }
        }
        into.put(key, value);
    }

    /** A protobuf message's fields, in order. */
    static final class Wire {
        record Field(int number, long varint, long fixed, byte[] bytes) {
        }

        private final byte[] b;
        private int pos;

        Wire(byte[] b) {
            this.b = b;
        }

        List<Field> fields() {
            List<Field> out = new ArrayList<>();
            while (pos < b.length) {
                long tag = varint();
                int number = (int) (tag >>> 3);
                switch ((int) (tag & 7)) {
                    case 0 -> out.add(new Field(number, varint(), 0, null));
                    case 1 -> out.add(new Field(number, 0, fixed(8), null));
                    case 2 -> {
                        int len = (int) varint();
                        byte[] v = java.util.Arrays.copyOfRange(b, pos, pos + len);
                        pos += len;
                        out.add(new Field(number, 0, 0, v));
                    }
                    case 5 -> out.add(new Field(number, 0, fixed(4), null));
                    default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " at " + pos);
                }
            }
            return out;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new IllegalArgumentException("bad varint");
        }

        private long fixed(int n) {
            long v = 0;
            for (int i = 0; i < n; i++) v |= (long) (b[pos++] & 0xff) << (8 * i);
            return v;
        }
    }
}
