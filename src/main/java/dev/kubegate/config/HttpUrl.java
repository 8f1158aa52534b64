package dev.kubegate.config;

import org.eclipse.microprofile.config.spi.Converter;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Converter of the settings that name an HTTP endpoint kubegate calls (webhooks, an S3 or STS
 * endpoint): an absolute {@code http} or {@code https} URL with a host. Declared on the key with
 * {@code @WithConverter(HttpUrl.class)}, so a malformed value stops start-up with the key's name
 * instead of failing at the first call.
 */
public final class HttpUrl implements Converter<URI> {

    @Override
    public URI convert(String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: \"" + value + "\" (" + e.getReason() + ")");
        }
        if (!("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL with a host: \"" + value + "\"");
        }
        return uri;
    }
}
