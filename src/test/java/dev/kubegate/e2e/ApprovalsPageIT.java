package dev.kubegate.e2e;

import dev.kubegate.testing.Prerequisites;
import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The approvals page in headless Debian chromium, at phone size: an approver signs in with an
 * admin token, the held {@code kubectl delete namespace} shows up live (no reload) with its
 * requester, reasons and what would change, agent-chosen text is shown as text (not HTML), and the
 * approve button releases the kubectl call. Needs {@code chromium} and {@code chromium-driver}
 * (.ci/run installs them); see {@link Prerequisites} for when it is skipped: {@code -Dkubegate.it.browser=false}
 * or missing programs, never under {@code .ci/run}.
 */
class ApprovalsPageIT {

    static final String AGENT = "page-agent-" + UUID.randomUUID();
    static final String APPROVER = "page-approver-" + UUID.randomUUID();
    /** An agent name that is also markup: the page must show it, not run it. */
    static final String HOSTILE_NAME = "<img src=x onerror=document.title='pwned'>";

    static final String CHROMIUM = System.getProperty("kubegate.it.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("kubegate.it.chromedriver", "/usr/bin/chromedriver");

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Kubectl agent;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.unlessSwitchedOff("kubegate.it.browser", "the approvals page browser test");
        Prerequisites.require(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER + "; Debian: chromium chromium-driver)");
        Path dir = Files.createTempDirectory("kubegate-approvals-page");
        cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults());
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, AGENT + "," + HOSTILE_NAME + ",agent-uid,\"agents\"\n");
        Path admins = dir.resolve("admins.csv");
        Files.writeString(admins, APPROVER + ",erin,erin-uid,\"kubegate-approvers\"\n");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.approval.wait", "90s"));
        gateway.awaitReady();
        agent = new Kubectl(gateway.kubeconfig(dir.resolve("agent.kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(120));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=390,844");
        options.setAcceptInsecureCerts(true); // the gateway's generated certificate
        File driver = new File(CHROMEDRIVER);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (gateway != null) gateway.close();
        if (cluster != null) cluster.close();
    }

    WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            var found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    @Test
    void anApproverSignsInSeesTheHeldCallLiveAndApprovesIt() throws Exception {
        agent.run("create", "namespace", "from-the-page").assertSuccess();
        browser.get(gateway.url() + "/kubegate/ui/");
        waitFor(By.id("token")).sendKeys(APPROVER);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
        waitFor(By.id("board"));
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> d.findElement(By.id("live")).getAttribute("class").contains("on"));
        assertThat(browser.findElement(By.id("empty")).isDisplayed()).isTrue();
        assertThat((String) ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('kubegate.adminToken')"))
                .isEqualTo(APPROVER);

        try (Kubectl.Running delete = agent.start("delete", "namespace", "from-the-page")) {
            // Arrives over the event stream: the page is not reloaded.
            WebElement card = waitFor(By.cssSelector(".card"));
            assertThat(card.findElement(By.className("describe")).getText()).contains("namespaces").contains("from-the-page");
            assertThat(card.findElement(By.className("reasons")).getText()).contains("deleting a namespace");
            assertThat(card.findElement(By.className("changes")).getText()).contains("remove").contains("Namespace from-the-page");
            WebElement requester = card.findElement(By.className("requester"));
            assertThat(requester.getText()).contains(HOSTILE_NAME);
            assertThat(requester.findElements(By.tagName("img"))).isEmpty();
            assertThat(browser.getTitle()).isEqualTo("kubegate approvals");
            Long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(overflow).as("no sideways scrolling on a phone").isLessThanOrEqualTo(0L);
            assertThat(delete.isAlive()).isTrue();
            Files.write(Path.of("target/approvals-page.png"), browser.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

            card.findElement(By.className("approve")).click();
            assertThat(delete.waitFor(Duration.ofSeconds(30))).as(delete.stderr()).isZero();
        }
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> d.findElement(By.id("message")).getText().contains("Approved"));
        assertThat(agent.run("get", "namespace", "from-the-page").exitCode()).isNotZero();
    }

    @Test
    void aCutDiffShowsTheSummaryFirstAndIsApprovedOnlyAfterTheFullDiffIsShown() throws Exception {
        Path role = Files.createTempFile("page-sneaky", ".yaml");
        Files.writeString(role, ApprovalsReviewIT.clusterRole("page-sneaky", 40, true));
        browser.get(gateway.url() + "/kubegate/ui/");
        if (!browser.findElements(By.cssSelector("#login:not([hidden])")).isEmpty()) {
            waitFor(By.id("token")).sendKeys(APPROVER);
            browser.findElement(By.cssSelector("#login button[type=submit]")).click();
        }
        waitFor(By.id("board"));
        try (Kubectl.Running create = agent.start("create", "-f", role.toString())) {
            WebElement card = waitFor(By.xpath("//li[contains(@class,'card')][.//dd[contains(@class,'call')][contains(., '/clusterroles')]]"));
            WebElement first = card.findElement(By.cssSelector(".summary li"));
            assertThat(first.getText()).contains("adds rule: * on * (apiGroups: *)");
            assertThat(first.getAttribute("class")).contains("flagged");
            assertThat(card.findElement(By.className("changes")).getText()).contains("more characters)");
            WebElement approve = card.findElement(By.className("approve"));
            assertThat(approve.isEnabled()).as("approving needs the full diff first").isFalse();
            card.findElement(By.className("full-diff")).click();
            // the page re-renders the card when the full diff arrives: an element found just before may be gone
            new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
                WebElement c = d.findElement(By.xpath("//li[contains(@class,'card')][.//dd[contains(@class,'call')][contains(., '/clusterroles')]]"));
                return c.findElement(By.className("changes")).getText().contains("widgets39")
                        && c.findElement(By.className("approve")).isEnabled() ? c : null;
            });
            card = browser.findElement(By.xpath("//li[contains(@class,'card')][.//dd[contains(@class,'call')][contains(., '/clusterroles')]]"));
            assertThat(card.findElement(By.className("changes")).getText()).doesNotContain("more characters)")
                    .contains("\"verbs\":[\"*\"]");
            Files.write(Path.of("target/approvals-page-full-diff.png"), browser.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
            card.findElement(By.className("approve")).click();
            assertThat(create.waitFor(Duration.ofSeconds(60))).as(create.stderr()).isZero();
        } finally {
            // The other test starts signed out.
            ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        }
    }
}
