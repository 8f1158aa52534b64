package dev.kubegate.trail;

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
 * go into the call's audit record, which the hash chain then protects. A stream that is not
 * WebSocket (SPDY) is not decoded.
 *
 * <p>The recording is bounded ({@code kubegate.audit.max-recording}), and an unrecorded session is
 * not allowed to go on: the message that would take the recording past the limit, and everything
 * after it in either direction, does not pass; the recording ends with the reason, the client gets
 * it on the error channel (a {@code Status} on channel 3) and a WebSocket close frame, and both
 * sides are closed. Cuts fall on message boundaries ({@link WebSocketFrames#messageStart()}); a
 * message's size is known from its frame header ({@link WebSocketFrames#partialPayload()}), so a
 * large one is stopped before any of it passes. Two cases keep a message that is already partly
 * delivered: one whose first bytes went on in an earlier chunk before its size was known is recorded
 * whole before the end, and if the client's message ends the session
 * while an API server message is half sent, that message is completed (and recorded) first, so the
 * client's stream stays well-formed. The file may exceed the limit by such a message.
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
    /** Why kubegate ended the session, or null. */
    String ended;
    String sha256;
    /** Bytes seen per direction (0 client → server, 1 server → client), and how many of them go on (-1: all). */
    private final long[] seen = new long[2];
    private final long[] stopAt = {-1, -1};
    /** Stream offset, per direction, of the chunk being decoded. */
    private final long[] chunkStart = new long[2];
    private boolean lastWordsSent;

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
    public int data(boolean client, Buffer b) {
        int d = client ? 0 : 1;
        long before = seen[d];
        chunkStart[d] = before;
        seen[d] += b.length();
        if (stopAt[d] >= 0 && before >= stopAt[d]) {
            return 0;
        }
        byte[] raw = b.getBytes();
        WebSocketFrames frames = client ? fromClient : fromServer;
        frames.feed(raw, 0, raw.length);
        // A message arriving over several reads: its header announces its size before its bytes go on.
        if (ended == null && frames.partialPayload() >= 0 && this.bytes + frames.partialPayload() + 64 > maxBytes
                && frames.messageStart() >= before) {
            end(client, frames.messageStart());
        }
        return stopAt[d] < 0 ? b.length() : (int) Math.max(0, Math.min(b.length(), stopAt[d] - before));
    }

    @Override
    public Buffer lastWords() {
        if (ended == null || stopAt[1] < 0 || lastWordsSent) {
            return null;
        }
        lastWordsSent = true;
        return Buffer.buffer(ExecEnding.frames(base64, ended));
    }

    private void message(boolean client, byte[] m) {
        if (m.length == 0 || ended != null && (client || stopAt[1] >= 0)) {
            return; // past the end: neither recorded nor passed on
        }
        WebSocketFrames frames = client ? fromClient : fromServer;
        // A message that would take the recording past its limit ends the session before it (neither
        // recorded nor passed on) — unless part of it already went on in an earlier chunk.
        if (ended == null && bytes + m.length + 64 > maxBytes && frames.messageStart() >= chunkStart[client ? 0 : 1]) {
            end(client, frames.messageStart());
            return;
        }
        record(client, m);
        if (ended == null && bytes >= maxBytes) {
            end(client, frames.endOfLastFrame());
        } else if (ended != null && !client) {
            stopAt[1] = fromServer.endOfLastFrame(); // the half-sent server message is complete
        }
    }

    /** Ends the session: {@code client}'s direction is cut at {@code at}, the other where it stands (at a message boundary). */
    private void end(boolean client, long at) {
        ended = "the session's recording reached its limit of " + maxBytes
                + " bytes (kubegate.audit.max-recording), and kubegate does not let a session go on unrecorded, so it ended the session";
        truncated = true;
        stopAt[client ? 0 : 1] = at;
        if (client) {
            // A half-sent server message is completed (and recorded) first, so the client's stream stays well-formed.
            if (fromServer.atMessageBoundary() || fromServer.broken()) stopAt[1] = seen[1];
        } else {
            stopAt[0] = seen[0];
        }
    }

    private void record(boolean client, byte[] m) {
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
        if (sha256 != null) {
            return; // closed
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
        if (ended != null) {
            event("m", "kubegate: " + ended); // the last line says why the session ended
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
