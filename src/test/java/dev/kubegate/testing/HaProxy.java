package dev.kubegate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A TCP load balancer in front of kubegate replicas, as the NLB in production: HAProxy (Debian
 * package {@code haproxy}) in TCP mode, TLS passed through to the replicas, round robin, with a fast
 * HTTPS readiness check on {@code /q/health/ready} so a stopped or unready replica leaves the
 * rotation within about a second, and refused connections redispatched to another replica.
 */
public final class HaProxy implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getProperty("kubegate.it.haproxy", "/usr/sbin/haproxy"));

    private final Process process;
    private final int port;
    private final Path log;

    private HaProxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts HAProxy in the foreground on a free loopback port, balancing over {@code backendPorts}. */
    public static HaProxy start(Path dir, List<Integer> backendPorts) throws Exception {
        Files.createDirectories(dir);
        int port = GatewayProcess.freePort();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 1024
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 10m
                    timeout server 10m
                    timeout check 2s
                    retries 3
                    option redispatch
                listen kubegate
                    bind 127.0.0.1:%d
                    balance roundrobin
                    option httpchk GET /q/health/ready
                    default-server check check-ssl verify none inter 500ms fall 2 rise 1
                """.formatted(port));
        for (int i = 0; i < backendPorts.size(); i++) {
            cfg.append("    server replica").append(i).append(" 127.0.0.1:").append(backendPorts.get(i)).append('\n');
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg.toString());
        Path log = dir.resolve("haproxy.log");
        Process p = new ProcessBuilder(BINARY.toString(), "-f", file.toString(), "-db").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        HaProxy h = new HaProxy(p, port, log);
        h.awaitListening();
        return h;
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("haproxy did not listen within 20 s");
    }

    public int port() {
        return port;
    }

    public String url() {
        return "https://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
