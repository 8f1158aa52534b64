package dev.kubegate.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process costs: CPU time from {@code /proc} (Linux), per process and per thread, and the
 * used heap of a JVM after a forced full GC ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}).
 * On a shared 2-core machine CPU time per request is steadier than requests per second.
 */
final class ProcessStats {

    /** Clock ticks per second of /proc/[pid]/stat; 100 on every Linux we run on. */
    private static final double HZ = 100.0;
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private ProcessStats() {
    }

    /** CPU seconds of a process and of each of its threads (by thread id), at one instant. */
    record CpuSample(long nanoTime, double total, Map<String, Double> threads) {

        /** CPU seconds used since {@code before}. */
        double since(CpuSample before) {
            return total - before.total;
        }

        /** The busiest thread since {@code before}, as a share of one core (1.0 = a whole core), and its name. */
        Map.Entry<String, Double> busiestThread(CpuSample before) {
            double wall = (nanoTime - before.nanoTime) / 1e9;
            String best = "-";
            double max = 0;
            for (Map.Entry<String, Double> t : threads.entrySet()) {
                double used = t.getValue() - before.threads.getOrDefault(t.getKey(), 0.0);
                if (used > max) {
                    max = used;
                    best = t.getKey();
                }
            }
            return Map.entry(best.replaceFirst("^\\d+:", ""), wall <= 0 ? 0 : max / wall);
        }
    }

    static CpuSample cpu(long pid) {
        long now = System.nanoTime();
        if (pid <= 0) {
            return new CpuSample(now, 0, Map.of());
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        double total = ticks(proc.resolve("stat"));
        Map<String, Double> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                String stat = read(task.resolve("stat"));
                if (stat != null) {
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    threads.put(task.getFileName() + ":" + comm, ticks(stat));
                }
            }
        } catch (IOException gone) {
            // the process ended: report what we have
        }
        return new CpuSample(now, total, threads);
    }

    private static double ticks(Path stat) {
        String s = read(stat);
        return s == null ? 0 : ticks(s);
    }

    /** utime + stime (fields 14 and 15) of a /proc stat line, in seconds. */
    private static double ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state): utime is field 14 → f[11], stime field 15 → f[12]
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Used heap in bytes after two forced full collections, or -1 when {@code pid} is unknown or
     * jcmd is not available (it ships with the JDK, next to {@code java}).
     */
    static long heapAfterGc(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            jcmd(pid, "GC.run");
            jcmd(pid, "GC.run");
            Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException | InterruptedException e) {
            System.err.println("heap of " + pid + " not measured: " + e);
            return -1;
        }
    }

    /** Resident set size in bytes (heap, metaspace, Netty's direct buffers, stacks), or -1. */
    static long rss(long pid) {
        String status = pid <= 0 ? null : read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return -1;
        }
        Matcher m = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }
}
