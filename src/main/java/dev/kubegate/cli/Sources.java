package dev.kubegate.cli;

import dev.kubegate.audit.LogSource;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where an audit log is read from: a directory, or (with the S3 sink) {@code s3://bucket/prefix}. */
final class Sources {

    private Sources() {
    }

    static LogSource open(String location) {
        if (location.startsWith("s3://")) {
            throw new IllegalArgumentException("reading s3:// locations needs the S3 sink, which this build does not have");
        }
        Path p = Path.of(location);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(location + " is not a directory");
        }
        return LogSource.directory(p);
    }
}
