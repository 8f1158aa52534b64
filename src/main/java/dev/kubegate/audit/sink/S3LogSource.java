package dev.kubegate.audit.sink;

import dev.kubegate.audit.LogSource;
import dev.kubegate.audit.Segments;
import dev.kubegate.audit.SigningKeys;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An audit log in a bucket, in the {@link Segments} layout under a prefix. Blocking (AWS SDK sync client). */
public final class S3LogSource implements LogSource {

    private final S3Location location;
    private final S3Client s3;

    public S3LogSource(S3Location location, S3Client s3) {
        this.location = location;
        this.s3 = s3;
    }

    @Override
    public String describe() {
        return location.describe();
    }

    @Override
    public List<String> streams() throws IOException {
        List<String> out = new ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(location.bucket())
                    .prefix(location.prefix()).delimiter("/").build())) {
                for (CommonPrefix p : page.commonPrefixes()) {
                    String name = p.prefix().substring(location.prefix().length(), p.prefix().length() - 1);
                    if (!name.equals(Segments.KEYS)) out.add(name);
                }
            }
        } catch (SdkException e) {
            throw new IOException("cannot list " + describe() + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    @Override
    public List<String> segments(String stream) throws IOException {
        List<String> out = new ArrayList<>();
        for (S3Object o : list(location.prefix() + stream + "/")) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            if (Segments.isSegment(name)) out.add(name);
        }
        out.sort(null);
        return out;
    }

    private List<S3Object> list(String prefix) throws IOException {
        List<S3Object> out = new ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(location.bucket()).prefix(prefix).build())) {
                out.addAll(page.contents());
            }
        } catch (SdkException e) {
            throw new IOException("cannot list " + describe() + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public InputStream open(String stream, String segment) throws IOException {
        try {
            return s3.getObject(GetObjectRequest.builder().bucket(location.bucket()).key(location.prefix() + stream + "/" + segment).build());
        } catch (SdkException e) {
            throw new IOException("cannot read " + stream + "/" + segment + " from " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> head(String stream) throws IOException {
        return bytes(location.prefix() + stream + "/" + Segments.HEAD);
    }

    private Optional<byte[]> bytes(String key) throws IOException {
        try {
            ResponseBytes<?> b = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(location.bucket()).key(key).build());
            return Optional.of(b.asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw new IOException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, PublicKey> keys() throws IOException {
        Map<String, PublicKey> out = new HashMap<>();
        for (S3Object o : list(location.prefix() + Segments.KEYS + "/")) {
            if (o.key().endsWith(".pub")) {
                byte[] pem = bytes(o.key()).orElseThrow();
                PublicKey k = SigningKeys.readPublic(new String(pem, StandardCharsets.US_ASCII), o.key());
                out.put(SigningKeys.keyId(k), k);
            }
        }
        return out;
    }
}
