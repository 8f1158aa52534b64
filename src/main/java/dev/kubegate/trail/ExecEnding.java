package dev.kubegate.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.Canonical;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What the client of an exec/attach WebSocket reads when kubegate ends the session: a failure
 * {@code Status} on the error channel (3) — kubectl prints its message — then a close frame with a
 * short reason. Server-to-client frames, so unmasked; text frames with the channel digit and base64
 * payload for the {@code base64.channel.k8s.io} protocols, binary frames otherwise.
 */
final class ExecEnding {

    private static final int CLOSE_NORMAL = 1000;

    private ExecEnding() {
    }

    static byte[] frames(boolean base64, String reason) {
        ObjectNode status = Canonical.JSON.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", "kubegate ended this session: " + reason)
                .put("reason", "Forbidden").put("code", 403);
        byte[] json = status.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (base64) {
            byte[] payload = ("3" + Base64.getEncoder().encodeToString(json)).getBytes(StandardCharsets.US_ASCII);
            frame(out, 0x1, payload);
        } else {
            byte[] payload = new byte[json.length + 1];
            payload[0] = 3;
            System.arraycopy(json, 0, payload, 1, json.length);
            frame(out, 0x2, payload);
        }
        byte[] why = "kubegate: session recording limit reached".getBytes(StandardCharsets.UTF_8);
        byte[] close = new byte[2 + why.length];
        close[0] = (byte) (CLOSE_NORMAL >> 8);
        close[1] = (byte) CLOSE_NORMAL;
        System.arraycopy(why, 0, close, 2, why.length);
        frame(out, 0x8, close);
        return out.toByteArray();
    }

    /** One final, unmasked frame. */
    static void frame(ByteArrayOutputStream out, int opcode, byte[] payload) {
        out.write(0x80 | opcode);
        int n = payload.length;
        if (n <= 125) {
            out.write(n);
        } else if (n <= 0xffff) {
            out.write(126);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) out.write((int) ((long) n >> (8 * i)));
        }
        out.write(payload, 0, n);
    }
}
