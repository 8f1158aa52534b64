package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Keycloak;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.Prerequisites;
import dev.kubegate.testing.RealKubeApiServer;
import dev.kubegate.testing.SlackClicks;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Approvers and admins from a real OIDC provider (Keycloak, realm fixture with an approver, a
 * non-approver and a person named like the agent), against the real kube-apiserver: a verified
 * approver's bearer token approves and the held kubectl call completes; tokens of the wrong
 * audience, with a broken signature or expired are refused with the reason; the non-approver and
 * the requester herself cannot approve; the admin-token realm works beside OIDC. The CLI signs in
 * with the device flow, the person logging in through Keycloak's real form in headless chromium,
 * and caches the token (mode 600). The approvals page signs in through Keycloak's form (code flow
 * with PKCE): a non-approver sees the request but cannot approve, an approver approves, the cookie is
 * HttpOnly, Secure and SameSite=Strict, a change without the CSRF token is refused, logout ends the
 * session. A misconfigured issuer (unreachable, wrong client secret) keeps readiness DOWN with the reason.
 */
class OidcApproversIT {

    static final String AGENT = "oidc-agent-" + UUID.randomUUID();
    static final String ROOT = "root-" + UUID.randomUUID();
    static final String SLACK_SECRET = "oidc-slack-" + UUID.randomUUID();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHROMIUM = System.getProperty("kubegate.it.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("kubegate.it.chromedriver", "/usr/bin/chromedriver");

    static Keycloak keycloak;
    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl agent;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", "the real kube-apiserver tests");
        Prerequisites.unlessSwitchedOff("kubegate.it.keycloak", "the OIDC tests with Keycloak");
        dir = Files.createTempDirectory("kubegate-oidc");
        keycloak = Keycloak.start(dir.resolve("keycloak"));
        apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, AGENT + ",alice,alice-uid,\"agents\"\n");
        Path admins = dir.resolve("admins.csv");
        Files.writeString(admins, ROOT + ",root,root-uid,\"kubegate-approvers\"\n");
        Path slackSecret = dir.resolve("slack-secret");
        Files.writeString(slackSecret, SLACK_SECRET);
        Path slackUsers = dir.resolve("slack-users.csv");
        Files.writeString(slackUsers, "UOLGA1,email:olga@example.com\n");
        int port = GatewayProcess.freePort();
        String base = "https://127.0.0.1:" + port;
        keycloak.allowRedirects("kubegate", base + "/kubegate/v1/oidc/callback", base + "/kubegate/ui/");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.ofEntries(
                Map.entry("kubegate.approval.public-url", base),
                Map.entry("kubegate.approval.slack.signing-secret-file", slackSecret.toString()),
                Map.entry("kubegate.approval.slack.users-file", slackUsers.toString()),
                Map.entry("kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString()),
                Map.entry("kubegate.identity.static.tokens-file", agents.toString()),
                Map.entry("kubegate.admin.tokens-file", admins.toString()),
                Map.entry("kubegate.approval.wait", "90s"),
                Map.entry("kubegate.approvers.oidc.issuer", keycloak.issuer()),
                Map.entry("kubegate.approvers.oidc.client-id", "kubegate"),
                Map.entry("kubegate.approvers.oidc.cli-client-id", "kubegate-cli"),
                Map.entry("kubegate.approvers.oidc.client-secret-file", webSecret().toString()),
                Map.entry("kubegate.approvers.oidc.clock-skew", "0s")), port);
        gateway.awaitReady();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(120));
    }

    static Path webSecret() throws Exception {
        Path f = dir.resolve("web-secret");
        Files.writeString(f, Keycloak.WEB_SECRET + "\n");
        return f;
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (apiserver != null) apiserver.close();
        if (keycloak != null) keycloak.close();
    }

    static String pendingFor(String ns) {
        String[] found = new String[1];
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (JsonNode item : JSON.readTree(gateway.api(ROOT).get("/kubegate/v1/approvals?status=pending").asString()).path("items")) {
                if (ns.equals(item.path("request").path("name").asText())) {
                    found[0] = item.path("id").asText();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    static JsonNode expect(Response r, int code) throws Exception {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(code);
        JsonNode n = JSON.readTree(r.asString());
        if (code / 100 != 2) {
            assertThat(n.path("kind").asText()).isEqualTo("Status");
        }
        return n;
    }

    static Response approve(String token, String id) {
        return gateway.api(token).post("/kubegate/v1/approvals/" + id + "/approve");
    }

    @Test
    void aVerifiedApproverApprovesAndEveryOtherTokenIsRefusedWithTheReason() throws Exception {
        agent.run("create", "namespace", "oidc-held").assertSuccess();
        String shortLived = keycloak.accessToken("short-lived", "ana");
        try (Kubectl.Running delete = agent.start("delete", "namespace", "oidc-held", "--wait=false")) {
            String id = pendingFor("oidc-held");
            String ana = keycloak.accessToken("kubegate-cli", "ana");

            assertThat(expect(approve(keycloak.accessToken("kubegate-cli", "nick"), id), 403).path("message").asText())
                    .contains("kubegate-approvers");
            assertThat(expect(approve(keycloak.accessToken("kubegate-cli", "alice"), id), 403).path("message").asText())
                    .contains("nobody approves their own request");
            // Ana's real token, minted by the same provider for another application: its audience is not kubegate's.
            assertThat(expect(approve(keycloak.accessToken("other-app", "ana"), id), 401).path("message").asText())
                    .contains("aud claim rejected").contains("accepted audiences: kubegate");
            String[] parts = ana.split("\\.");
            byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
            sig[sig.length / 2] ^= 0x55;
            String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
            assertThat(expect(approve(forged, id), 401).path("message").asText()).contains("signature");
            Thread.sleep(3000); // past the short-lived client's 2 s
            assertThat(expect(approve(shortLived, id), 401).path("message").asText()).containsIgnoringCase("expired");
            assertThat(expect(approve("not-a-token", id), 401).path("message").asText()).contains("Unauthorized");
            // An approver is not an admin: the rest of the admin API stays closed to OIDC people without admin groups.
            assertThat(expect(gateway.api(ana).get("/kubegate/v1/sessions"), 403).path("message").asText())
                    .contains("only the approvals API");
            Thread.sleep(300);
            assertThat(delete.isAlive()).as("nothing refused released the call").isTrue();

            JsonNode approved = expect(approve(ana, id), 200);
            assertThat(approved.path("status").asText()).isEqualTo("approved");
            assertThat(approved.path("decisions").get(0).path("approver").asText()).isEqualTo("ana");
            assertThat(delete.waitFor(Duration.ofSeconds(60))).as(delete.stderr()).isZero();
        }
        // The break-glass admin token works beside OIDC.
        assertThat(expect(gateway.api(ROOT).get("/kubegate/v1/approvals"), 200).path("items").toString()).contains("oidc-held");
    }

    @Test
    void theCliSignsInWithTheDeviceFlowThroughKeycloaksFormAndCachesTheToken() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.browser", "the device-flow browser test");
        Prerequisites.require(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER + "; Debian: chromium chromium-driver)");
        agent.run("create", "namespace", "oidc-cli").assertSuccess();
        Path cache = dir.resolve("cli-cache");
        try (Kubectl.Running delete = agent.start("delete", "namespace", "oidc-cli", "--wait=false")) {
            String id = pendingFor("oidc-cli");
            Path out = dir.resolve("cli.out");
            Path err = dir.resolve("cli.err");
            Process cli = gateway.startCli(out, err, "approvals", "approve", id, "--oidc", "--server", gateway.url(),
                    "--cache-dir", cache.toString(), "--reason", "checked on the call");
            try {
                Pattern open = Pattern.compile("open (http\\S+) in a browser");
                String[] url = new String[1];
                await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
                    Matcher m = open.matcher(Files.readString(err));
                    if (m.find()) {
                        url[0] = m.group(1);
                        return true;
                    }
                    assertThat(cli.isAlive()).as(Files.readString(err)).isTrue();
                    return false;
                });
                assertThat(url[0]).startsWith(keycloak.url());
                signInWithChromium(url[0], "ana");
                assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(err)).isTrue();
                assertThat(cli.exitValue()).as(Files.readString(err) + Files.readString(out)).isZero();
                assertThat(Files.readString(out)).contains(id).contains("approved");
            } finally {
                cli.destroyForcibly();
            }
            assertThat(delete.waitFor(Duration.ofSeconds(60))).as(delete.stderr()).isZero();
        }
        List<Path> cached;
        try (var files = Files.list(cache)) {
            cached = files.filter(p -> p.getFileName().toString().startsWith("oidc-")).toList();
        }
        assertThat(cached).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cached.get(0)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
        assertThat(Files.readString(cached.get(0))).doesNotContain("password");
        // Again: the cached token is used, nobody is asked to sign in.
        Path out2 = dir.resolve("cli2.out");
        Path err2 = dir.resolve("cli2.err");
        Process again = gateway.startCli(out2, err2, "approvals", "list", "--status", "all", "--oidc", "--server", gateway.url(),
                "--cache-dir", cache.toString());
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(Files.readString(err2)).isZero();
        assertThat(Files.readString(err2)).doesNotContain("open http");
        assertThat(Files.readString(out2)).contains("oidc-cli");
        // sessions takes --oidc too: the cached token reaches the server, which keeps /sessions for admins
        Path out3 = dir.resolve("cli3.out");
        Path err3 = dir.resolve("cli3.err");
        Process sessions = gateway.startCli(out3, err3, "sessions", "list", "--oidc", "--server", gateway.url(),
                "--cache-dir", cache.toString());
        assertThat(sessions.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sessions.exitValue()).isNotZero();
        assertThat(Files.readString(err3)).doesNotContain("open http").contains("only the approvals API");
    }

    @Test
    void aSlackUserMappedByEmailApprovesAsTheirLastOidcSignIn() throws Exception {
        agent.run("create", "namespace", "oidc-slack").assertSuccess();
        SlackClicks clicks = new SlackClicks(SLACK_SECRET);
        try (Kubectl.Running delete = agent.start("delete", "namespace", "oidc-slack", "--wait=false")) {
            String id = pendingFor("oidc-slack");
            String click = SlackClicks.form("UOLGA1", "kubegate_approve", id, "https://hooks.slack.com/actions/T0/1/a");
            HttpResponse<String> before = clicks.signed(gateway, click, java.time.Instant.now());
            assertThat(before.body()).as("olga never signed in: her email vouches for nothing yet")
                    .contains("Nothing was decided").contains("signed in to kubegate with OIDC");
            assertThat(delete.isAlive()).isTrue();
            // Olga signs in (any verified use of her token), which records her verified email, name and groups.
            expect(gateway.api(keycloak.accessToken("kubegate-cli", "olga")).get("/kubegate/v1/approvals"), 200);
            HttpResponse<String> after = clicks.signed(gateway,
                    SlackClicks.form("UOLGA1", "kubegate_approve", id, "https://hooks.slack.com/actions/T0/1/b"), java.time.Instant.now());
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
            assertThat(after.body()).contains(id + " is approved").contains("olga");
            assertThat(delete.waitFor(Duration.ofSeconds(60))).as(delete.stderr()).isZero();
        }
    }

    static ChromeDriver browser(String size) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=" + size);
        options.setAcceptInsecureCerts(true); // the gateway's generated certificate
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build(), options);
    }

    static WebElement waitFor(ChromeDriver b, By by) {
        // The page may be navigating (sign-in, logout redirects): an element found a moment ago can go stale.
        return new WebDriverWait(b, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            var found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    /** From the approvals page: "Sign in with your company account", then Keycloak's form. */
    static void signInOnThePage(ChromeDriver b, String user) {
        b.get(gateway.url() + "/kubegate/ui/");
        waitFor(b, By.id("sso")).click();
        waitFor(b, By.id("username")).sendKeys(user);
        b.findElement(By.id("password")).sendKeys(user + "-password");
        b.findElement(By.id("kc-login")).click();
        waitFor(b, By.id("board"));
        new WebDriverWait(b, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("whoami")).getText().equals(user));
    }

    static WebElement cardFor(ChromeDriver b, String ns) {
        return new WebDriverWait(b, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector(".card")).stream()
                .filter(c -> c.findElement(By.className("describe")).getText().contains(ns)).findFirst().orElse(null));
    }

    static void clickApprove(ChromeDriver b, String ns) {
        new WebDriverWait(b, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            cardFor(b, ns).findElement(By.className("approve")).click();
            return true;
        });
    }

    static HttpResponse<String> withCookie(String method, String path, String cookie, String csrf) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Cookie", "__Host-kubegate-session=" + cookie).method(method, HttpRequest.BodyPublishers.noBody());
        if (csrf != null) r.header("X-Kubegate-CSRF", csrf);
        return gateway.httpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageSignsInThroughKeycloakAndOnlyAnApproverWithTheCsrfTokenApproves() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.browser", "the approvals page sign-in test");
        Prerequisites.require(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER + "; Debian: chromium chromium-driver)");
        agent.run("create", "namespace", "oidc-page").assertSuccess();
        try (Kubectl.Running delete = agent.start("delete", "namespace", "oidc-page", "--wait=false")) {
            String id = pendingFor("oidc-page");
            ChromeDriver b = browser("1024,900");
            try {
                // A non-approver signs in, sees the request, and is refused.
                signInOnThePage(b, "nick");
                clickApprove(b, "oidc-page");
                new WebDriverWait(b, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("message")).getText().contains("kubegate-approvers"));
                assertThat(delete.isAlive()).isTrue();
                b.findElement(By.id("signout")).click();
                // Logout ends the session here and at the issuer: the page asks to sign in again.
                waitFor(b, By.id("sso"));
                assertThat(b.manage().getCookieNamed("__Host-kubegate-session")).isNull();

                signInOnThePage(b, "ana");
                var cookie = b.manage().getCookieNamed("__Host-kubegate-session");
                assertThat(cookie).isNotNull();
                assertThat(cookie.isHttpOnly()).isTrue();
                assertThat(cookie.isSecure()).isTrue();
                assertThat(cookie.getSameSite()).isEqualTo("Strict");
                assertThat(cookie.getPath()).isEqualTo("/");
                assertThat((String) ((org.openqa.selenium.JavascriptExecutor) b).executeScript("return document.cookie")).doesNotContain(cookie.getValue());

                // The cookie alone changes nothing: a change needs the session's CSRF token, which only the page can read.
                HttpResponse<String> forged = withCookie("POST", "/kubegate/v1/approvals/" + id + "/approve", cookie.getValue(), null);
                assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
                assertThat(forged.body()).contains("X-Kubegate-CSRF");
                assertThat(withCookie("POST", "/kubegate/v1/approvals/" + id + "/approve", cookie.getValue(), "guessed").statusCode()).isEqualTo(403);
                assertThat(withCookie("GET", "/kubegate/v1/approvals/" + id, cookie.getValue(), null).statusCode()).isEqualTo(200);
                Thread.sleep(300);
                assertThat(delete.isAlive()).as("no forged change released the call").isTrue();

                clickApprove(b, "oidc-page");
                assertThat(delete.waitFor(Duration.ofSeconds(60))).as(delete.stderr()).isZero();
                JsonNode decided = JSON.readTree(gateway.api(ROOT).get("/kubegate/v1/approvals/" + id).asString());
                assertThat(decided.path("decisions").get(0).path("approver").asText()).isEqualTo("ana");

                b.findElement(By.id("signout")).click();
                waitFor(b, By.id("sso"));
                assertThat(withCookie("GET", "/kubegate/v1/approvals", cookie.getValue(), null).statusCode())
                        .as("the old cookie is worthless after logout").isEqualTo(401);
            } finally {
                b.quit();
            }
        }
    }

    /** Logs {@code user} in through Keycloak's own pages, as a person would. */
    static void signInWithChromium(String url, String user) {
        ChromeDriver browser = browser("1024,900");
        try {
            browser.get(url);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            WebElement name = wait.until(d -> d.findElements(By.id("username")).stream().findFirst().orElse(null));
            name.sendKeys(user);
            browser.findElement(By.id("password")).sendKeys(user + "-password");
            browser.findElement(By.id("kc-login")).click();
            // Keycloak may ask to grant the device access: the same button says yes.
            wait.until(d -> {
                String page = d.getPageSource();
                if (page.contains("Device Login Successful") || page.toLowerCase().contains("you may close this")) {
                    return true;
                }
                List<WebElement> yes = d.findElements(By.id("kc-login"));
                if (!yes.isEmpty() && d.findElements(By.id("password")).isEmpty()) {
                    yes.get(0).click();
                }
                return false;
            });
        } finally {
            browser.quit();
        }
    }

    @Test
    void anUnreachableIssuerKeepsReadinessDownWithTheReasonAndNothingFallsBack() throws Exception {
        int nowhere = GatewayProcess.freePort();
        String issuer = "http://127.0.0.1:" + nowhere + "/realms/nowhere";
        Path admins = dir.resolve("admins.csv");
        try (GatewayProcess bad = GatewayProcess.start(dir.resolve("bad-issuer"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.approvers.oidc.issuer", issuer,
                "kubegate.approvers.oidc.client-id", "kubegate"))) {
            var http = bad.httpClient();
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(bad.url() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("approvers-oidc").contains("cannot reach").contains(nowhere + "");
            });
            // A token claiming that issuer is refused (not verifiable now), never let through.
            String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"iss\":\"" + issuer
                    + "\",\"aud\":\"kubegate\",\"sub\":\"x\",\"preferred_username\":\"root\",\"groups\":[\"kubegate-approvers\"],\"exp\":4102444800}")
                    .getBytes(StandardCharsets.UTF_8));
            String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            Response r = bad.api(header + "." + claims + ".c2ln").get("/kubegate/v1/approvals");
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(503);
            assertThat(r.asString()).contains("cannot verify tokens of " + issuer);
            // The admin-token realm is unaffected.
            assertThat(bad.api(ROOT).get("/kubegate/v1/approvals").statusCode()).isEqualTo(200);
        }
        // A wrong client secret: the issuer refuses kubegate's client, readiness says so (the right one, above, is ready).
        Path wrong = dir.resolve("wrong-secret");
        Files.writeString(wrong, "not-the-secret\n");
        try (GatewayProcess bad = GatewayProcess.start(dir.resolve("wrong-secret-gw"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.approvers.oidc.issuer", keycloak.issuer(),
                "kubegate.approvers.oidc.client-id", "kubegate",
                "kubegate.approvers.oidc.client-secret-file", wrong.toString()))) {
            var http = bad.httpClient();
            await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(bad.url() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("approvers-oidc").contains("refused kubegate's client credentials");
            });
        }
        // Without a client id there is no audience to check: kubegate does not start.
        assertThatThrownBy(() -> GatewayProcess.start(dir.resolve("no-client"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.approvers.oidc.issuer", keycloak.issuer())).close())
                .hasMessageContaining("kubegate.approvers.oidc.client-id");
    }
}
