package dev.kubegate.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every setting of kubegate, prefix {@code kubegate.}. Key names documented in docs/configuration.md are
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

    Session session();

    Approval approval();

    /** People who approve and administer, signed in with the company's identity provider (docs/approvals.md). */
    Approvers approvers();

    /**
     * Where the state all replicas share lives (contract key): {@code embedded} keeps it under
     * {@code data-dir/state} for one replica; {@code postgres} in the database of {@link #postgres()}.
     */
    @WithDefault("embedded")
    StoreKind store();

    Postgres postgres();

    enum StoreKind {
        EMBEDDED, POSTGRES
    }

    Shutdown shutdown();

    Audit audit();

    /** kubegate as an MCP server ({@code /kubegate/mcp}, docs/mcp.md). */
    Mcp mcp();

    interface Mcp {
        /** Serve the MCP endpoint; its tools make their calls through the same pipeline as kubectl's. */
        @WithDefault("true")
        boolean enabled();

        /** Largest answer a tool reads from the API (through kubegate); a larger one is a tool error. */
        @WithDefault("16Mi")
        @WithConverter(ByteSize.Converter.class)
        ByteSize maxAnswer();

        /** Largest text a tool returns (logs, exec output, tables); longer text is cut, and says so. */
        @WithDefault("256Ki")
        @WithConverter(ByteSize.Converter.class)
        ByteSize maxOutput();

        /** How long pods_exec lets a command run before it ends the session. */
        @WithDefault("30s")
        java.time.Duration execTimeout();

        /** How long a tool reuses what API discovery said about a group version (kind to resource). */
        @WithDefault("60s")
        java.time.Duration discoveryTtl();

        /**
         * How long a tool call waits for the client's answer when it asks for a justification (MCP
         * elicitation) before a new approval request; 0 never asks.
         */
        @WithDefault("2m")
        java.time.Duration elicitationTimeout();
    }

    /** The escape-hatch report ({@code kubegate rbac-check}) the gateway runs periodically. */
    @WithName("rbac-check")
    RbacCheck rbacCheck();

    interface RbacCheck {
        /** Run it inside the gateway (metric kubegate_rbac_escape_hatches, readiness data); off: only the command. */
        @WithDefault("true")
        boolean enabled();

        /** Time between runs; the first runs this long after start-up, at most one minute. */
        @WithDefault("10m")
        Duration interval();
    }

    Masking masking();

    /** Masking of pod logs and exec/attach output beyond the policy's patterns (docs/security.md, "Logs and exec output"). */
    interface Masking {
        /**
         * Mask the values of the Secrets a pod can read (env, envFrom, secret and projected volumes)
         * wherever they appear in its logs and exec/attach output, raw or base64. kubegate reads the
         * pod and those Secrets with its own identity (RBAC: get pods, get secrets); when it cannot,
         * the call is refused (503).
         */
        @WithDefault("true")
        boolean knownValues();

        /** How long the Secret values read for a pod are reused before they are read again. */
        @WithDefault("30s")
        Duration knownValuesTtl();
    }

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

        /** AWS IAM agents (k8s-aws-v1 tokens). */
        Aws aws();

        /** Kubernetes service-account tokens, checked by a TokenReview against the upstream cluster. */
        @WithName("serviceaccount")
        ServiceAccount serviceAccount();

        /** OIDC JWTs from configured issuers (CI workload identity). */
        Oidc oidc();

        /**
         * The identity mapping file (contract key), YAML: which AWS ARNs, service accounts and OIDC
         * subjects are agents, under which principal name and groups. An unmapped identity is refused.
         * Re-read when it changes. Absent: every AWS / service-account / OIDC identity is refused.
         */
        Optional<Path> mappings();

        /** How often {@link #mappings()} is checked for changes. */
        @WithDefault("2s")
        Duration mappingsReloadInterval();

        interface Aws {
            /** Accept AWS IAM tokens; they are accepted only when {@link #clusterId()} is set too. */
            @WithDefault("true")
            boolean enabled();

            /**
             * kubegate's own id (contract key): the {@code x-k8s-aws-id} value agents sign into their
             * tokens ({@code aws eks get-token --cluster-name <id>}). Must differ from every EKS cluster name.
             */
            Optional<String> clusterId();

            /**
             * Where the presigned GetCallerIdentity calls go instead of the token's own STS host (contract
             * key): a VPC endpoint, or a test double. The token's signed host is kept as the Host header.
             */
            @WithConverter(HttpUrl.class)
            Optional<URI> stsEndpoint();

            /** AWS regions whose STS hosts tokens may name; any region of the aws, aws-cn and aws-us-gov partitions when absent. */
            Optional<java.util.List<String>> regions();

            /** Time STS has to answer; exceeded → 503. */
            @WithDefault("5s")
            Duration stsTimeout();

            /** Verified tokens kept (each until it expires, at most 15 min). */
            @WithDefault("10000")
            int cacheSize();
        }

        interface ServiceAccount {
            /** Accept service-account JWTs, checked by TokenReview (POST tokenreviews) with the gateway's own identity. */
            @WithDefault("false")
            boolean enabled();

            /** Audiences the token must carry (TokenReview spec.audiences); the API server's default audience when absent. */
            Optional<java.util.List<String>> audiences();

            /** How long a positive TokenReview answer is reused. */
            @WithDefault("1m")
            Duration cacheTtl();

            /** Reviewed tokens kept. */
            @WithDefault("10000")
            int cacheSize();
        }

        interface Oidc {
            /** Trusted issuers by a name of your choice: {@code kubegate.identity.oidc.issuers.github.url=...}. */
            java.util.Map<String, Issuer> issuers();

            /** Clock skew allowed on exp, nbf and iat. */
            @WithDefault("30s")
            Duration clockSkew();

            /** Least time between two JWKS fetches of one issuer (a token with an unknown key id triggers one). */
            @WithDefault("30s")
            Duration jwksMinRefresh();

            /** JWKS re-fetched this long after the last fetch, even without unknown key ids. */
            @WithDefault("15m")
            Duration jwksMaxAge();

            interface Issuer {
                /** The issuer URL, exactly as in the tokens' iss claim; discovery at {@code <url>/.well-known/openid-configuration}. */
                String url();

                /** Audiences accepted (the token's aud must contain one of them). */
                java.util.List<String> audiences();

                /** Claim naming the identity; the identity id is {@code <url>#<claim value>}. */
                @WithDefault("sub")
                String usernameClaim();

                /** Claim with the token's groups (a string array), offered to the mapping; none when absent. */
                Optional<String> groupsClaim();

                /** JWKS URL, skipping discovery. */
                Optional<String> jwksUrl();
            }
        }

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
        @WithConverter(ByteSize.Converter.class)
        ByteSize maxRequestBody();
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

        /**
         * Decisions kept per loaded policy for calls without a body, keyed by the parts of the input
         * the policy's Rego reads (derived from the bundle's sources); emptied on every bundle or data
         * reload. 0 turns the cache off.
         */
        @WithDefault("10000")
        int decisionCacheSize();
    }

    /** Agents' just-in-time sessions: token lifetime, idle timeout, signing keys (docs/sessions-and-identity.md). */
    interface Session {
        /** Session lifetime when the agent asks for none (contract key). */
        @WithDefault("15m")
        Duration ttl();

        /** Longest session an agent may ask for (contract key); also capped by the agent credential's expiry. */
        @WithDefault("1h")
        Duration maxTtl();

        /** A session unused this long is refused (401); 0 turns the idle check off. */
        @WithDefault("0s")
        Duration idleTimeout();

        /** A new signing key this often; old public keys stay until the last token they signed expired. */
        @WithDefault("24h")
        Duration keyRotation();

        /**
         * PEM or JWK files (a mounted Kubernetes Secret) holding the EC P-256 signing keys, re-read every
         * minute: every key verifies, the file whose name sorts last signs. When absent, each replica
         * makes its own keys and publishes the public halves in the state store.
         */
        Optional<Path> signingKeysDir();

        /**
         * How long the revocation/suspension view may go without the state store's change feed before
         * session tokens are refused (503): the bound on enforcing a revocation late.
         */
        @WithDefault("2s")
        Duration maxStaleness();
    }

    interface Approval {
        /**
         * How long a call that needs approval is held open waiting for a decision (contract key);
         * after that the agent gets a 403 with the approval id and retries once approved.
         */
        @WithName("wait")
        @WithDefault("30s")
        Duration holdFor();

        /** How long a pending request can be decided; after that it expires and a retry asks again. */
        @WithDefault("1h")
        Duration requestTtl();

        /** How long decided and expired requests stay listed (for review) after they end. */
        @WithDefault("24h")
        Duration retention();

        /**
         * Base URL approvers open ({@code <public-url>/kubegate/ui/#/approvals/<id>}); the host the
         * agent's own call was addressed to when absent.
         */
        Optional<String> publicUrl();

        /** Slack-compatible incoming webhook notified when a request is created and decided; off when absent. */
        @WithConverter(HttpUrl.class)
        Optional<URI> webhookUrl();

        /** Pending requests one session (or principal) may have at once; more → 429. */
        @WithDefault("20")
        int maxPending();

        /** Attempts per webhook notification (with 1 s, 2 s, 4 s ... pauses between them). */
        @WithDefault("3")
        int webhookAttempts();

        /** Deciding from Slack with the webhook message's buttons (docs/approvals.md). */
        Slack slack();

        interface Slack {
            /**
             * The Slack app's signing secret (a file holding it). When set, the webhook message's
             * Approve / Deny buttons post to {@code /kubegate/v1/approvals/slack/interactions}; off when absent.
             */
            Optional<Path> signingSecretFile();

            /** Who each Slack user is: rows {@code <Slack user id>,<approver name | email:address>}. Required with the secret. */
            Optional<Path> usersFile();

            /** Only clicks from this Slack workspace (team id) count; any workspace signed with the secret when absent. */
            Optional<String> teamId();

            /** Message updates are posted only to a {@code response_url} starting with one of these. */
            @WithDefault("https://hooks.slack.com/")
            java.util.List<String> responseUrlPrefixes();
        }
    }

    interface Approvers {
        Oidc oidc();

        /** OpenID Connect for approvers and admins: bearer tokens on the admin API and the CLI's device flow; off without an issuer. */
        interface Oidc {
            /** The issuer URL, exactly as the tokens' {@code iss} (discovery at {@code <issuer>/.well-known/openid-configuration}). */
            Optional<String> issuer();

            /** kubegate's client at the issuer (the web page's); tokens issued to it are accepted. */
            Optional<String> clientId();

            /** The web client's secret (a file holding it); needed for the web page's sign-in. */
            Optional<Path> clientSecretFile();

            /** The public client the CLI's device flow uses ({@code kubegate approvals --oidc}). */
            Optional<String> cliClientId();

            /** Accepted {@code aud} values; the client id when absent. */
            Optional<java.util.List<String>> audiences();

            @WithDefault("openid,profile,email")
            java.util.List<String> scopes();

            /** The claim naming the person (compared with requesters' names: no self-approval). */
            @WithDefault("preferred_username")
            String usernameClaim();

            /** The claim listing the person's groups, matched against the policy's approver groups. */
            @WithDefault("groups")
            String groupsClaim();

            /** The claim holding the person's email (Slack users mapped by {@code email:} are found by it). */
            @WithDefault("email")
            String emailClaim();

            /** Members of these groups may use the whole admin API; other OIDC people only the approvals API. */
            Optional<java.util.List<String>> adminGroups();

            /** Leeway for exp / nbf / iat. */
            @WithDefault("30s")
            Duration clockSkew();

            /** Timeout for discovery and key fetches. */
            @WithDefault("10s")
            Duration fetchTimeout();

            /** How long the approvals page's sign-in lasts (the session cookie's lifetime). */
            @WithDefault("1h")
            Duration sessionTtl();

            /** How long a sign-in vouches for the person behind a Slack {@code email:} mapping (their groups as of then). */
            @WithDefault("12h")
            Duration directoryTtl();
        }
    }

    /** The database of {@code kubegate.store=postgres}; ignored otherwise. */
    interface Postgres {
        /** {@code postgresql://host:port/database} (libpq URI; {@code ?sslmode=require} and the like are honored). Required for postgres. */
        Optional<String> url();

        /** Database user; the URL's user, else {@code kubegate}, when absent. */
        Optional<String> username();

        /** File holding the password (a mounted Secret); read at start-up, surrounding whitespace ignored. */
        Optional<Path> passwordFile();

        /** The password itself (e.g. from env KUBEGATE_POSTGRES_PASSWORD) when no password file is set. */
        Optional<String> password();

        /**
         * PEM CA bundle the database's certificate must chain to: turns on TLS with certificate and
         * host name verification ({@code sslmode=verify-full} unless the URL says otherwise).
         */
        Optional<Path> caFile();

        /** kubegate's own schema: tables, trigger, migration history; names the notification channel too. */
        @WithDefault("kubegate")
        String schema();

        /** Connections for queries; the change feed holds one more. */
        @WithDefault("8")
        int poolSize();

        /** Longest an operation may take (incl. waiting for a connection) before it fails closed (503). */
        @WithDefault("5s")
        Duration timeout();

        /** How often expired rows are deleted. */
        @WithDefault("1m")
        Duration purgeInterval();
    }

    /**
     * Stopping behind a load balancer (SIGTERM): readiness turns 503 at once; for {@link #drainDelay()}
     * everything is still served (responses ask clients to reconnect) while the NLB deregisters the
     * target; then open watches end cleanly and in-flight calls get up to {@link #timeout()};
     * exec/attach/port-forward tunnels are closed last. Applied through {@code quarkus.shutdown.delay}
     * and {@code quarkus.shutdown.timeout} (application.properties).
     */
    interface Shutdown {
        /** Time between readiness turning unready and watches being ended; ≥ the NLB's deregistration detection. */
        @WithDefault("5s")
        Duration drainDelay();

        /** Time in-flight calls and tunnels get after the drain delay before they are cut. */
        @WithDefault("30s")
        Duration timeout();
    }

    interface Audit {
        /** Record every call and lifecycle event; off only to measure what auditing costs. */
        @WithDefault("true")
        boolean enabled();

        /** Local audit directory: segments, signed heads, public keys (contract key); {@code <data-dir>/audit} when absent. */
        Optional<Path> dir();

        /** Where closed segments go: {@code file} (they stay in {@link #dir()}) or {@code s3} (contract key). */
        @WithDefault("file")
        Sink sink();

        enum Sink {
            FILE, S3
        }

        /** This replica's writer stream id; hostname plus a random suffix, kept in {@code <dir>/writer-id}, when absent. */
        Optional<String> writerId();

        /** {@code always} (fsync each write batch, shared by all waiting calls), {@code batch(<n>ms)} or {@code never}. */
        @WithDefault("always")
        @WithConverter(AuditFsync.Converter.class)
        AuditFsync fsync();

        /** Rotate a segment when it would grow past this size. */
        @WithDefault("64Mi")
        @WithConverter(ByteSize.Converter.class)
        ByteSize segmentSize();

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

        /** Largest request object (and, at level RequestResponse, answer) kept in a record; larger ones are omitted, with the reason. */
        @WithDefault("64Ki")
        @WithConverter(ByteSize.Converter.class)
        ByteSize maxBody();

        /**
         * Largest exec/attach recording (asciicast). A session is never left to go on unrecorded: when
         * its recording reaches this size kubegate ends it, telling the client why, and the recording
         * and the call's audit record say so.
         */
        @WithDefault("64Mi")
        @WithConverter(ByteSize.Converter.class)
        ByteSize maxRecording();

        S3 s3();

        Export export();

        Playbooks playbooks();

        /** Each call's record also as a Kubernetes audit event, for SIEMs that read the API server's audit log. */
        interface Export {
            /** Append an {@code audit.k8s.io/v1} {@code Event} per call, one JSON line each (docs/observability.md). */
            @WithDefault("false")
            boolean enabled();

            /** The file the events are appended to; default {@code <audit dir>/k8s-audit/events.jsonl}. */
            Optional<java.nio.file.Path> file();
        }

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
            @WithConverter(HttpUrl.class)
            Optional<URI> webhook();
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
            @WithConverter(HttpUrl.class)
            Optional<URI> endpoint();

            /** Object Lock retention of each uploaded segment, when the bucket has Object Lock enabled. */
            Optional<Duration> retention();

            /** Object Lock mode: GOVERNANCE or COMPLIANCE. */
            @WithDefault("GOVERNANCE")
            RetentionMode retentionMode();

            enum RetentionMode {
                GOVERNANCE, COMPLIANCE
            }

            /** Closed segments not yet uploaded, in bytes, before the audit log refuses records (calls get 503). */
            @WithDefault("1Gi")
            @WithConverter(ByteSize.Converter.class)
            ByteSize maxPending();
        }
    }
}
