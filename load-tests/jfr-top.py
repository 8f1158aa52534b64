#!/usr/bin/env python3
"""Top frames of a CPU profile, as text: a JFR recording's CPU samples (jdk.ExecutionSample), or
async-profiler's collapsed stacks (a `.collapsed` file: "root;...;top count" per line).

    python3 load-tests/jfr-top.py kubegate.jfr [N]
    python3 load-tests/jfr-top.py kubegate.collapsed [N]

Prints: the share of samples per area (the first kubegate/library frame that names one, see AREAS),
the top N methods by self samples (the frame on top of the stack) and by total samples (anywhere
in the stack, once per sample). Uses the JDK's `jfr print --json`.
"""
import collections
import json
import subprocess
import sys

# Which area a sample belongs to: the first frame from the top whose class starts with a prefix.
AREAS = [
    ("policy: WASM evaluation (Chicory)", ("com.dylibso.chicory", "dev.kubegate.policy.WasmPolicy")),
    ("policy: decision cache / input / decision", ("dev.kubegate.policy",)),
    ("masking", ("dev.kubegate.masking",)),
    ("audit", ("dev.kubegate.audit",)),
    ("kubegate other", ("dev.kubegate",)),
    ("JSON (Jackson)", ("com.fasterxml.jackson",)),
    ("logging", ("org.jboss.logmanager", "org.jboss.logging", "io.quarkus.bootstrap.logging")),
    ("tracing (OpenTelemetry)", ("io.opentelemetry", "io.quarkus.opentelemetry")),
    ("metrics (Micrometer)", ("io.micrometer",)),
    ("TLS", ("io.netty.handler.ssl", "sun.security", "javax.net.ssl", "io.netty.internal.tcnative", "com.sun.crypto")),
    ("HTTP/2 codec", ("io.netty.handler.codec.http2",)),
    ("HTTP/1 codec", ("io.netty.handler.codec.http",)),
    ("Vert.x HTTP", ("io.vertx.core.http", "io.vertx.core.net")),
    ("Netty I/O, buffers", ("io.netty",)),
    ("Vert.x other", ("io.vertx",)),
    ("Quarkus", ("io.quarkus", "io.smallrye")),
    ("JDK", ("java.", "jdk.", "sun.")),
]


# A frame is (class, method); a native or kernel frame of async-profiler has no class: ("", symbol).
def class_name(f):
    return f[0]


def frame_name(f):
    return f[0] + "." + f[1] if f[0] else f[1]


def jfr_samples(path):
    """(frames top first, count) per CPU sample of a JFR recording, via the JDK's `jfr print --json`."""
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    for e in json.loads(out)["recording"]["events"]:
        frames = [(f["method"]["type"]["name"].replace("/", "."), f["method"]["name"])  # JFR writes java/lang/String
                  for f in e["values"]["stackTrace"]["frames"]]
        yield frames, 1


def collapsed_samples(path):
    """(frames top first, count) per line of async-profiler's collapsed output (root first there)."""
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = []
            for f in reversed(stack.split(";")):
                f = f.removesuffix("_[j]").removesuffix("_[i]").removesuffix("_[0]").removesuffix("_[1]")
                if f.endswith("_[k]") or "/" not in f:
                    frames.append(("", f))  # native or kernel symbol
                else:
                    cls, _, method = f.rpartition(".")
                    frames.append((cls.replace("/", "."), method))
            yield frames, int(count)


def area(frames):
    for f in frames:
        cls = class_name(f)
        for name, prefixes in AREAS:
            if cls.startswith(prefixes) and not (name == "JDK" and any(
                    class_name(g).startswith(("dev.", "io.", "com.", "org.")) for g in frames)):
                return name
    if frames and not frames[0][0]:
        return "native (kernel, libc, OpenSSL, JVM)"
    return "other"


def main():
    path = sys.argv[1]
    top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    samples = collapsed_samples(path) if path.endswith(".collapsed") else jfr_samples(path)
    self_counts, total_counts, areas = collections.Counter(), collections.Counter(), collections.Counter()
    for frames, count in samples:
        if not frames:
            continue
        self_counts[frame_name(frames[0])] += count
        for name in {frame_name(f) for f in frames}:
            total_counts[name] += count
        areas[area(frames)] += count
    n = sum(self_counts.values())
    print(f"{path}: {n} CPU samples\n")
    print("Share of samples by area (the first frame from the top that belongs to one):")
    for name, c in areas.most_common():
        print(f"  {100 * c / n:5.1f} %  {name}")
    print(f"\nTop {top_n} methods by self samples:")
    for name, c in self_counts.most_common(top_n):
        print(f"  {100 * c / n:5.1f} %  {name}")
    print(f"\nTop {top_n} methods by total samples (anywhere on the stack):")
    for name, c in total_counts.most_common(top_n):
        print(f"  {100 * c / n:5.1f} %  {name}")


if __name__ == "__main__":
    main()
