package dev.kubegate.audit.trail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.audit.Asciicast;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.WebSocketFrames;
import dev.kubegate.masking.LineMasker;
import dev.kubegate.masking.MaskRules;
import dev.kubegate.upstream.UpgradeTunnel;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records an exec/attach session spliced over WebSocket as asciicast v2: stdin ({@code "i"}),
 * stdout and stderr ({@code "o"}, masked line by line with the call's log patterns), resize
 * ({@code "r"}) and the final status ({@code "m"}). Decoding and masking run on the connection's
 * event loop (linear, bounded); the file is written by one shared writer thread. Its SHA-256 and size
 * go into the call's audit record, which the hash chain then protects. Recording stops (marked
 * truncated) past {@code maxBytes}; a stream that is not WebSocket (SPDY) is not decoded.
 */
final class ExecRecorder implements UpgradeTunnel.Tap {

    private static final Logger LOG = Logger.getLogger(ExecRecorder.class);
    private static final ExecutorService FILES = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kubegate-audit-recordings");
        t.setDaemon(true);
        return t;
    });

    final String id;
    final Path file;
    private final boolean base64;
    private final long maxBytes;
    private final long startNanos = System.nanoTime();
    private final WebSocketFrames fromClient = new WebSocketFrames(m -> message(true, m));
    private final WebSocketFrames fromServer = new WebSocketFrames(m -> message(false, m));
    private final LineMasker stdin;
    private final LineMasker stdout;
    private final LineMasker stderr;
    private final MessageDigest sha;
    private OutputStream out; // writer thread only
    long bytes;
    boolean truncated;
    String sha256;

    ExecRecorder(String id, Path file, boolean base64, MaskRules rules, long maxBytes, String title) {
        this.id = id;
        this.file = file;
        this.base64 = base64;
        this.maxBytes = maxBytes;
        this.stdin = LineMasker.of(rules);
        this.stdout = LineMasker.of(rules);
        this.stderr = LineMasker.of(rules);
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        write(Asciicast.header(80, 24, System.currentTimeMillis() / 1000, title, Map.of("TERM", "xterm-256color")));
    }

    @Override
    public void data(boolean client, Buffer b) {
        byte[] bytes = b.getBytes();
        (client ? fromClient : fromServer).feed(bytes, 0, bytes.length);
    }

    private void message(boolean client, byte[] m) {
        if (m.length == 0) {
            return;
        }
        int channel;
        byte[] payload;
        if (base64) {
            channel = m[0] - '0';
            try {
                payload = Base64.getDecoder().decode(new String(m, 1, m.length - 1, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return;
            }
        } else {
            channel = m[0] & 0xff;
            payload = java.util.Arrays.copyOfRange(m, 1, m.length);
        }
        if (client) {
            if (channel == 0) {
                text("i", stdin.feed(payload));
            } else if (channel == 4) {
                try {
                    JsonNode size = Canonical.JSON.readTree(payload);
                    event("r", size.path("Width").asInt() + "x" + size.path("Height").asInt());
                } catch (IOException ignored) {
                    // not a resize message
                }
            }
        } else if (channel == 1) {
            text("o", stdout.feed(payload));
        } else if (channel == 2) {
            text("o", stderr.feed(payload));
        } else if (channel == 3) {
            event("m", new String(payload, StandardCharsets.UTF_8));
        }
    }

    private void text(String code, byte[] masked) {
        if (masked.length > 0) {
            event(code, new String(masked, StandardCharsets.UTF_8));
        }
    }

    private void event(String code, String data) {
        write(Asciicast.event((System.nanoTime() - startNanos) / 1e9, code, data));
    }

    private void write(byte[] line) {
        if (truncated) {
            return;
        }
        if (bytes + line.length > maxBytes) {
            truncated = true;
            line = Asciicast.event((System.nanoTime() - startNanos) / 1e9, "m", "kubegate: recording truncated at " + bytes + " bytes");
        }
        sha.update(line);
        bytes += line.length;
        byte[] l = line;
        FILES.execute(() -> {
            try {
                if (out == null) {
                    Files.createDirectories(file.getParent());
                    out = Files.newOutputStream(file);
                }
                out.write(l);
            } catch (IOException e) {
                LOG.errorf("exec recording %s: cannot write %s: %s", id, file, e);
            }
        });
    }

    @Override
    public void closed() {
        text("i", stdin.flush());
        text("o", stdout.flush());
        text("o", stderr.flush());
        if (fromClient.broken() || fromServer.broken()) {
            event("m", "kubegate: part of the stream could not be decoded as WebSocket frames");
        }
        sha256 = HexFormat.of().formatHex(sha.digest());
        FILES.execute(() -> {
            try {
                if (out != null) out.close();
            } catch (IOException e) {
                LOG.errorf("exec recording %s: cannot close %s: %s", id, file, e);
            }
        });
    }
}
