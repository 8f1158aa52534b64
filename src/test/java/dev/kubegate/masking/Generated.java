package dev.kubegate.masking;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Kubernetes-shaped JSON made on the fly, never held whole: a SecretList of a given size, or a
 * watch stream of Secret events. Secret values all start with {@link #MARKER} (base64 of
 * "SEKRIT"), so a test can check that none leaks.
 */
public final class Generated extends InputStream {
    public static final String MARKER = "U0VLUklU";

    private final boolean watch;
    private final long limit;      // bytes (list) or events (watch)
    private long made;
    private int n;
    private byte[] cur = ("{\"kind\":\"SecretList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[")
            .getBytes(StandardCharsets.UTF_8);
    private int at;
    private boolean done;

    private Generated(boolean watch, long limit) {
        this.watch = watch;
        this.limit = limit;
        if (watch) {
            cur = new byte[0];
        }
    }

    /** A SecretList of about {@code bytes} bytes; 2 masked values per item. */
    public static Generated secretList(long bytes) {
        return new Generated(false, bytes);
    }

    /** A watch stream of {@code events} Secret events; 2 masked values per event. */
    public static Generated watch(long events) {
        return new Generated(true, events);
    }

    /** Items or events made so far. */
    public int count() {
        return n;
    }

    private boolean next() {
        if (done) {
            return false;
        }
        if (watch ? n >= limit : made >= limit) {
            done = true;
            cur = watch ? new byte[0] : "]}\n".getBytes(StandardCharsets.UTF_8);
            at = 0;
            return cur.length > 0;
        }
        StringBuilder sb = new StringBuilder(1200);
        if (watch) {
            sb.append("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",");
        } else {
            sb.append(n == 0 ? "{" : ",{");
        }
        sb.append("\"metadata\":{\"name\":\"secret-").append(n).append("\",\"namespace\":\"team-a\",\"uid\":\"6f1c2e0a-1b2c-4d5e-8f90-")
                .append(100000000000L + n).append("\",\"resourceVersion\":\"").append(1000 + n)
                .append("\",\"creationTimestamp\":\"2026-11-26T08:00:00Z\",\"labels\":{\"app\":\"web\",\"tier\":\"backend\"},")
                .append("\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"apiVersion\":\"v1\",")
                .append("\"time\":\"2026-11-26T08:00:00Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{\".\":{},")
                .append("\"f:password\":{},\"f:token\":{}},\"f:type\":{}}}]},")
                .append("\"data\":{\"password\":\"").append(MARKER).append("LXBhc3N3b3JkLTEyMzQ1Njc4OTAtYWJjZGVmZ2hpams=\",")
                .append("\"token\":\"").append(MARKER)
                .append("LXRva2VuLWV5SmhiR2NpT2lKU1V6STFOaUlzSW10cFpDSTZJbXRsZVMweElpd2lkSGx3SWpvaVNsZFVJbjA=")
                .append(n).append("\"},\"type\":\"Opaque\"}");
        if (watch) {
            sb.append("}\n");
        }
        cur = sb.toString().getBytes(StandardCharsets.UTF_8);
        at = 0;
        made += cur.length;
        n++;
        return true;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (at == cur.length && !next()) {
            return -1;
        }
        int total = 0;
        while (total < len) {
            if (at == cur.length && !next()) {
                break;
            }
            int k = Math.min(len - total, cur.length - at);
            System.arraycopy(cur, at, b, off + total, k);
            at += k;
            total += k;
        }
        return total == 0 ? -1 : total;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
}
