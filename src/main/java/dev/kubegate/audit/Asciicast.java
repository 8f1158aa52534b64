package dev.kubegate.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * asciicast v2 lines (what {@code asciinema play} and kubegate's replay understand): a header object,
 * then one {@code [seconds, code, data]} array per event — {@code "o"} output, {@code "i"} input,
 * {@code "r"} resize ({@code "COLSxROWS"}), {@code "m"} a marker (kubegate: the exec's final status).
 * Pure.
 */
public final class Asciicast {

    private Asciicast() {
    }

    public static byte[] header(int width, int height, long timestamp, String title, Map<String, String> env) {
        ObjectNode h = Canonical.JSON.createObjectNode();
        h.put("version", 2).put("width", width).put("height", height).put("timestamp", timestamp).put("title", title);
        ObjectNode e = h.putObject("env");
        env.forEach(e::put);
        return line(h.toString());
    }

    public static byte[] event(double seconds, String code, String data) {
        ArrayNode a = Canonical.JSON.createArrayNode();
        a.add(Math.round(seconds * 1e6) / 1e6).add(code).add(data);
        return line(a.toString());
    }

    private static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
