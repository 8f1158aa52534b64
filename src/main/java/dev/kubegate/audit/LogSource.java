package dev.kubegate.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read access to a stored audit log (a local directory or an object-store prefix) in the
 * {@link Segments} layout: what the verifier and search read. Blocking.
 */
public interface LogSource {

    String describe();

    /** Writer stream ids, sorted. */
    List<String> streams() throws IOException;

    /** A stream's segment names in chain order. */
    List<String> segments(String stream) throws IOException;

    InputStream open(String stream, String segment) throws IOException;

    /** The stream's {@code head.json} (its latest signed checkpoint), when present. */
    Optional<byte[]> head(String stream) throws IOException;

    /** Public keys published with the log ({@code keys/*.pub}), by key id. */
    Map<String, PublicKey> keys() throws IOException;

    static LogSource directory(Path root) {
        return new Directory(root);
    }

    /** An audit directory on a file system. */
    record Directory(Path root) implements LogSource {
        @Override
        public String describe() {
            return root.toString();
        }

        @Override
        public List<String> streams() throws IOException {
            return Segments.streams(root).stream().map(p -> p.getFileName().toString()).toList();
        }

        @Override
        public List<String> segments(String stream) throws IOException {
            return Segments.list(root.resolve(stream)).stream().map(p -> p.getFileName().toString()).toList();
        }

        @Override
        public InputStream open(String stream, String segment) throws IOException {
            return Files.newInputStream(root.resolve(stream).resolve(segment));
        }

        @Override
        public Optional<byte[]> head(String stream) throws IOException {
            Path h = root.resolve(stream).resolve(Segments.HEAD);
            return Files.exists(h) ? Optional.of(Files.readAllBytes(h)) : Optional.empty();
        }

        @Override
        public Map<String, PublicKey> keys() throws IOException {
            return SigningKeys.readPublicKeys(root.resolve(Segments.KEYS));
        }
    }
}
