package dev.kubegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs the real {@code kubectl} against a kubeconfig, for tests. Every call has a timeout; a
 * process that outlives it is killed and the call fails with everything it printed.
 *
 * <p>The binary is {@code -Dkubegate.kubectl=...}, else {@code $KUBECTL}, else {@code kubectl} on
 * the PATH. Each instance uses its own discovery cache directory, so no state leaks between test
 * runs or servers (they get random ports anyway).
 *
 * <pre>
 * Kubectl k = new Kubectl(server.writeKubeconfig(dir.resolve("kubeconfig")));
 * k.run("get", "pods").assertSuccess().stdout();
 * try (Kubectl.Running w = k.start("get", "pods", "-w")) { w.awaitStdout(s -> s.contains("web-1"), Duration.ofSeconds(5)); }
 * </pre>
 */
public final class Kubectl {
    /** The outcome of a finished kubectl. */
    public record Result(List<String> args, int exitCode, String stdout, String stderr) {
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + exitCode
                        + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }

        public Result assertExitCode(int expected) {
            if (exitCode != expected) {
                throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + exitCode + ", expected "
                        + expected + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    private final Path kubeconfig;
    private final Duration timeout;
    private final Map<String, String> env;
    private final Path cacheDir;

    public Kubectl(Path kubeconfig) {
        this(kubeconfig, Duration.ofSeconds(30), Map.of(), tempDir());
    }

    private Kubectl(Path kubeconfig, Duration timeout, Map<String, String> env, Path cacheDir) {
        this.kubeconfig = kubeconfig;
        this.timeout = timeout;
        this.env = Map.copyOf(env);
        this.cacheDir = cacheDir;
    }

    public Kubectl withTimeout(Duration t) {
        return new Kubectl(kubeconfig, t, env, cacheDir);
    }

    public Kubectl withEnv(String name, String value) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put(name, value);
        return new Kubectl(kubeconfig, timeout, e, cacheDir);
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public static String binary() {
        String b = System.getProperty("kubegate.kubectl");
        if (b == null || b.isEmpty()) {
            b = System.getenv("KUBECTL");
        }
        return b == null || b.isEmpty() ? "kubectl" : b;
    }

    public Result run(String... args) {
        return finish(launch(null, args), null, args);
    }

    /** Runs with {@code stdin} as standard input (then EOF). */
    public Result runWithStdin(String stdin, String... args) {
        return finish(launch(null, args), stdin, args);
    }

    /** Runs with standard input redirected from a file, like {@code kubectl ... < file}. */
    public Result runWithStdinFrom(Path file, String... args) {
        return finish(launch(file, args), null, args);
    }

    /** Starts a long-running kubectl ({@code -w}, {@code logs -f}); close it to stop it. */
    public Running start(String... args) {
        Running r = launch(null, args);
        r.closeStdin();
        return r;
    }

    private Result finish(Running r, String stdin, String[] args) {
        try (r) {
            if (stdin != null) {
                try (OutputStream in = r.process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // kubectl may exit before reading its input; its exit code tells
                }
            } else {
                r.closeStdin();
            }
            int code = r.waitFor(timeout);
            return new Result(List.of(args), code, r.stdout(), r.stderr());
        }
    }

    private Running launch(Path stdinFile, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("KUBE"));
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("KUBECACHEDIR", cacheDir.toString());
        pb.environment().putAll(env);
        if (stdinFile != null) {
            pb.redirectInput(stdinFile.toFile());
        }
        try {
            return new Running(pb.start(), cmd);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        }
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("kubectl-cache");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running kubectl whose output is collected as it arrives. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final List<String> cmd;
        private final StringBuilder out = new StringBuilder();
        private final StringBuilder err = new StringBuilder();
        private final List<Thread> pumps;

        private Running(Process process, List<String> cmd) {
            this.process = process;
            this.cmd = cmd;
            this.pumps = List.of(pump(process.getInputStream(), out, "stdout"), pump(process.getErrorStream(), err, "stderr"));
        }

        private Thread pump(InputStream in, StringBuilder sink, String name) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0;) {
                        synchronized (this) {
                            sink.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the process went away
                }
            }, "kubectl-" + name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** After the process exited: the pumps reach EOF once they have handed over the last bytes. */
        private void drain() throws InterruptedException {
            for (Thread t : pumps) {
                t.join(5000);
            }
        }

        public synchronized String stdout() {
            return out.toString();
        }

        public synchronized String stderr() {
            return err.toString();
        }

        /** Waits until stdout satisfies {@code condition}; fails with the output so far otherwise. */
        public String awaitStdout(Predicate<String> condition, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                synchronized (this) {
                    while (!condition.test(out.toString())) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || !process.isAlive()) {
                            break;
                        }
                        wait(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                    }
                }
                if (!process.isAlive()) {
                    drain();
                }
                String now = stdout();
                if (!condition.test(now)) {
                    throw new AssertionError("no expected output from " + cmd + (process.isAlive() ? " in " + timeout : " before it exited")
                            + "\nstdout: " + now + "\nstderr: " + stderr());
                }
                return now;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        public String awaitStdout(String contains, Duration timeout) {
            return awaitStdout(s -> s.contains(contains), timeout);
        }

        /** Waits for the exit code; kills the process and fails after {@code timeout}. */
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(cmd + " did not finish in " + timeout + "\nstdout: " + stdout() + "\nstderr: " + stderr());
                }
                drain();
                return process.exitValue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        void closeStdin() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // already closed
            }
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Stops kubectl (SIGTERM, then SIGKILL) like a user pressing Ctrl-C. */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
