package dev.kubegate.approval;

import dev.kubegate.k8s.QueryParams;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binds an approval to one exact call: method, path, the query in canonical form (every parameter,
 * sorted by name, each name's values in their order, re-encoded), the media type the API server
 * decodes the body with ({@link dev.kubegate.k8s.MediaType#digestForm}: the same bytes sent as a
 * strategic-merge patch and as a merge patch are different operations) and the SHA-256 of the body.
 * Two calls with the same digest do exactly the same thing; anything else needs its own approval.
 * Plain Java.
 */
public final class CallDigest {

    private CallDigest() {
    }

    /**
     * @param mediaType the body's media type as the API server reads it, normalised by
     *                  {@link dev.kubegate.k8s.MediaType#digestForm}; never contains a newline
     */
    public static ApprovalRequest.Call of(String method, String path, QueryParams query, String mediaType, byte[] body,
                                          String scope) {
        String canonicalQuery = canonical(query);
        String bodySha = sha256Hex(body == null ? new byte[0] : body);
        String type = mediaType == null ? "" : URLEncoder.encode(mediaType, StandardCharsets.UTF_8);
        String digest = sha256Hex((method + "\n" + path + "\n" + canonicalQuery + "\n" + type + "\n" + bodySha)
                .getBytes(StandardCharsets.UTF_8));
        return new ApprovalRequest.Call(method, path, canonicalQuery, bodySha, digest, scope);
    }

    static String canonical(QueryParams query) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<String>> e : new TreeMap<>(query.asMap()).entrySet()) {
            for (String v : e.getValue()) {
                if (!out.isEmpty()) out.append('&');
                out.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
