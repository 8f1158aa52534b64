package dev.kubegate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver (1.20.2, built from Debian's source package) with etcd and RBAC, driven by
 * {@code src/test/sh/kube-apiserver.sh}: built once and cached outside the repository, started in a
 * fresh directory per test class. Its user {@code kubegate-gateway} may impersonate; group
 * {@code agents} is cluster-admin, group {@code viewers} may only read.
 */
public final class RealKubeApiServer implements AutoCloseable {

    private static final Path SCRIPT = Path.of("src/test/sh/kube-apiserver.sh");

    private final Path dir;

    private RealKubeApiServer(Path dir) {
        this.dir = dir;
    }

    public static RealKubeApiServer start(Path dir) throws Exception {
        run(List.of("build"), 1800);
        run(List.of("start", dir.toString()), 180);
        return new RealKubeApiServer(dir);
    }

    /** The kubeconfig of the gateway's own identity (may impersonate, nothing else). */
    public Path gatewayKubeconfig() {
        return dir.resolve("gateway.kubeconfig");
    }

    public Path adminKubeconfig() {
        return dir.resolve("admin.kubeconfig");
    }

    private static void run(List<String> args, int timeoutSeconds) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(args);
        Path log = Files.createTempFile("kube-apiserver-" + args.get(0), ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kube-apiserver.sh " + args + " timed out:\n" + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("kube-apiserver.sh " + args + " failed:\n" + Files.readString(log));
        }
    }

    @Override
    public void close() {
        try {
            run(List.of("stop", dir.toString()), 60);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
