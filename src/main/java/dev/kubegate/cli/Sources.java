package dev.kubegate.cli;

import dev.kubegate.audit.LogSource;
import dev.kubegate.audit.sink.S3Location;
import dev.kubegate.audit.sink.S3LogSource;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where an audit log is read from: a directory, or (with the S3 sink) {@code s3://bucket/prefix}. */
final class Sources {

    private Sources() {
    }

    /** @param s3 region and endpoint for s3:// locations (kubegate.audit.s3.*) */
    static LogSource open(String location, dev.kubegate.config.KubegateConfig.Audit.S3 s3) {
        if (location.startsWith("s3://")) {
            S3Location where = S3Location.parse(location, s3.region(), s3.endpoint());
            return new S3LogSource(where, where.client(null));
        }
        Path p = Path.of(location);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(location + " is not a directory");
        }
        return LogSource.directory(p);
    }
}
