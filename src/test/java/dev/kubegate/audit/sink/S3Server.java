package dev.kubegate.audit.sink;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * s3rver (npm, an S3-compatible server on Node.js) as a child process, installed once by
 * {@code src/test/sh/s3rver.sh}. Stop and start it again on the same directory and port to simulate
 * an outage. Credentials: S3RVER / S3RVER.
 */
final class S3Server implements AutoCloseable {

    private static String bin;
    private final Path dir;
    private final int port;
    private final String bucket;
    private Process process;

    S3Server(Path dir, int port, String bucket) {
        this.dir = dir;
        this.port = port;
        this.bucket = bucket;
    }

    static synchronized String bin() throws IOException, InterruptedException {
        if (bin == null) {
            Process p = new ProcessBuilder("bash", "src/test/sh/s3rver.sh").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException("cannot install s3rver (needs node and npm)");
            }
            bin = out;
        }
        return bin;
    }

    S3Server start() throws Exception {
        process = new ProcessBuilder(List.of("node", bin(), "-d", dir.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port),
                "--silent", "--configure-bucket", bucket)).redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling("s3rver.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return this;
            } catch (IOException notYet) {
                if (!process.isAlive()) throw new IllegalStateException("s3rver exited: " + process.exitValue());
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("s3rver did not listen on " + port);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
