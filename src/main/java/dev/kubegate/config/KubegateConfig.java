package dev.kubegate.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every setting of kubegate, prefix {@code kubegate.}. Key names marked "contract" in DESIGN.md are
 * relied on by users' scripts: rename none of them. Defaults run one replica on one machine.
 */
@ConfigMapping(prefix = "kubegate")
public interface KubegateConfig {

    /** Where kubegate keeps what it generates: TLS material, embedded state, local audit. */
    @WithDefault("data")
    Path dataDir();

    Upstream upstream();

    Identity identity();

    Admin admin();

    Tls tls();

    Limits limits();

    Policy policy();

    Audit audit();

    interface Upstream {
        /** API server URL; overrides the server of the kubeconfig / in-cluster / EKS discovery. */
        Optional<String> url();

        /** Kubeconfig file; when absent, $KUBECONFIG then ~/.kube/config are tried after in-cluster. */
        Optional<Path> kubeconfig();

        /** Kubeconfig context; the file's current-context when absent. */
        Optional<String> context();

        /** CA bundle for {@link #url()} when no kubeconfig supplies one. */
        Optional<Path> caFile();

        /** Bearer token file for {@link #url()} when no kubeconfig supplies credentials; re-read on change. */
        Optional<Path> tokenFile();

        /** Disables upstream certificate verification. Never in production. */
        @WithDefault("false")
        boolean insecureSkipTlsVerify();

        Eks eks();

        /** Send Impersonate-* headers for the caller; off where the gateway identity is the scoped one. */
        @WithDefault("true")
        boolean impersonate();

        /** TCP + TLS connect timeout towards the API server. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** Time allowed until upstream response headers arrive; exceeded → 504. Streams are not cut after. */
        @WithDefault("60s")
        Duration responseTimeout();

        /** Connections (HTTP/1.1) or streams (HTTP/2) kept per upstream; watches each hold one. */
        @WithDefault("2000")
        int maxConnections();

        /** Negotiate HTTP/2 with the API server (multiplexes watches on few connections). */
        @WithDefault("true")
        boolean http2();

        interface Eks {
            /** EKS cluster name: enables the EKS upstream identity (k8s-aws-v1 tokens minted with AWS SDK v2). */
            Optional<String> clusterName();

            /** AWS region of the cluster; the SDK's default region chain when absent. */
            Optional<String> region();

            /** Role to assume (STS AssumeRole) before minting tokens; the default credential chain's identity when absent. */
            Optional<String> roleArn();
        }
    }

    interface Identity {
        @WithName("static")
        StaticTokens staticTokens();

        interface StaticTokens {
            /** Agents' static bearer tokens, kube-apiserver token-file CSV. Development only; off when absent. */
            Optional<Path> tokensFile();
        }
    }

    interface Admin {
        /** Humans' (approvers, admins) bearer tokens, kube-apiserver token-file CSV; off when absent. */
        Optional<Path> tokensFile();
    }

    interface Tls {
        /** PEM certificate chain served to clients; generated (self-signed) under data-dir/tls when absent. */
        Optional<Path> certFile();

        /** PEM private key for {@link #certFile()}. */
        Optional<Path> keyFile();

        /** Extra DNS names / IPs for the generated certificate (the NLB name, a Service DNS name). */
        Optional<java.util.List<String>> sans();
    }

    interface Limits {
        /** Largest request body kubegate reads when it must inspect one; larger → 413. */
        @WithDefault("3Mi")
        String maxRequestBody();
    }

    interface Policy {
        /**
         * The policy bundle deciding every call (contract key): a bundle {@code .tar.gz} made by
         * {@code opa build --v1-compatible -t wasm -e kubegate/decision <dir>}, or a bare
         * {@code policy.wasm} of that entrypoint. Re-read when it changes (checked every
         * {@link #reloadInterval()}); a change that fails to load keeps the previous policy.
         * The built-in pack (policies/rego) when absent.
         */
        Optional<Path> bundle();

        /**
         * A JSON object merged over the bundle's own data (contract key): objects key by key,
         * anything else replaced; policies read it as {@code data.<key>}, e.g.
         * {@code {"kubegate": {"productionNamespaces": ["prod"]}}}. Re-read when it changes.
         */
        Optional<Path> data();

        /** Policy instances, i.e. evaluations in parallel; twice the CPUs (the event-loop count) when absent. */
        OptionalInt poolSize();

        /** How often {@link #bundle()} and {@link #data()} are checked for changes. */
        @WithDefault("2s")
        Duration reloadInterval();

        /** Evaluations waiting for a free instance before further calls are refused (503). */
        @WithDefault("1024")
        int maxQueued();

        /** How long an evaluation may wait for a free instance before the call is refused (503). */
        @WithDefault("5s")
        Duration queueTimeout();
    }

    interface Audit {
        /** Record every call and lifecycle event; off only to measure what auditing costs. */
        @WithDefault("true")
        boolean enabled();

        /** Local audit directory: segments, signed heads, public keys (contract key); {@code <data-dir>/audit} when absent. */
        Optional<Path> dir();

        /** Where closed segments go: {@code file} (they stay in {@link #dir()}) or {@code s3} (contract key). */
        @WithDefault("file")
        String sink();

        /** This replica's writer stream id; hostname plus a random suffix, kept in {@code <dir>/writer-id}, when absent. */
        Optional<String> writerId();

        /** {@code always} (fsync each write batch, shared by all waiting calls), {@code batch(<n>ms)} or {@code never}. */
        @WithDefault("always")
        String fsync();

        /** Rotate a segment when it would grow past this size. */
        @WithDefault("64Mi")
        String segmentSize();

        /** Rotate a segment this old. */
        @WithDefault("1h")
        Duration segmentAge();

        /** How often the chain head is signed (when something was recorded since). */
        @WithDefault("10s")
        Duration checkpointInterval();

        /** Ed25519 private key (PKCS#8 PEM) signing checkpoints; generated under {@code <data-dir>/audit-key/} when absent. */
        Optional<Path> signingKey();

        /** Records accepted but not yet written; beyond it the audit log refuses records and calls get 503. */
        @WithDefault("100000")
        int maxBuffered();

        /** How long a mutating call waits for its record to be durable before it is refused (503). */
        @WithDefault("5s")
        Duration writeTimeout();

        /** Largest request body kept in a record at audit level Request or RequestResponse; longer ones are cut. */
        @WithDefault("64Ki")
        String maxBody();

        /** Largest exec/attach recording (asciicast); recording stops there, marked truncated. */
        @WithDefault("64Mi")
        String maxRecording();

        S3 s3();

        Playbooks playbooks();

        interface Playbooks {
            /** Watch each identity's calls for the rules below. */
            @WithDefault("true")
            boolean enabled();

            /** Sliding window of the rules. */
            @WithDefault("5m")
            Duration window();

            /** Denials within the window that fire {@code repeated-denials}; 0 turns the rule off. */
            @WithDefault("10")
            int maxDenials();

            /** Deletes within the window that fire {@code delete-burst}; 0 turns the rule off. */
            @WithDefault("20")
            int maxDeletes();

            /** Namespaces whose any touch fires {@code protected-namespace}. */
            Optional<java.util.List<String>> protectedNamespaces();

            /** Suspend the identity when a rule fires (needs the identity feature's suspender). */
            @WithDefault("false")
            boolean suspend();

            /** URL that receives each action as JSON (POST). */
            Optional<String> webhook();
        }

        interface S3 {
            /** Bucket the closed segments go to (sink {@code s3}). */
            Optional<String> bucket();

            /** Key prefix inside the bucket (e.g. {@code prod/}); segments land under {@code <prefix><stream>/}; none when absent. */
            Optional<String> prefix();

            /** Region of the bucket. */
            @WithDefault("us-east-1")
            String region();

            /** Endpoint of an S3-compatible store (path-style addressing); AWS when absent. */
            Optional<String> endpoint();

            /** Object Lock retention of each uploaded segment, when the bucket has Object Lock enabled. */
            Optional<Duration> retention();

            /** Object Lock mode: GOVERNANCE or COMPLIANCE. */
            @WithDefault("GOVERNANCE")
            String retentionMode();

            /** Closed segments not yet uploaded, in bytes, before the audit log refuses records (calls get 503). */
            @WithDefault("1Gi")
            String maxPending();
        }
    }
}
