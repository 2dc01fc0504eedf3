package org.dindex.http;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.client.DindexClient;
import org.dindex.support.Browsers;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser (headless Chromium) against a real daemon: a real HTTP server on loopback serves a
 * small site; the test starts a scrape through the form and watches its progress bar and crawl log, survives a dropped
 * stream, cancels an endless scrape, searches, and checks the statistics, the import error and the API-key prompt.
 * Full-page screenshots of each step go to {@code target/screenshots/dashboard-*.png}.
 */
@Timeout(180)
class DashboardBrowserTest {
    static final Path SHOTS = Path.of("target", "screenshots");
    static Browsers.Dashboard setup;
    static EmbeddedDaemon daemon;
    static String dashboard;
    static String siteBase;
    static Browsers.Session browser;

    static final Map<String, String> PAGES = Map.of(
            "/", page("Harbour guide", "Welcome to the harbour guide of the northern coast. Read about the"
                    + " lighthouses, the tides and the knots sailors use.", "/lighthouses", "/tides", "/knots"),
            "/lighthouses", page("Lighthouses of the northern cape", "The lighthouse on the northern cape flashes"
                    + " white every ten seconds and can be seen from twenty nautical miles away. Keepers once trimmed"
                    + " the wicks of the lamp each night and wound the clockwork that turned the great lens.", "/tides"),
            "/tides", page("Reading the tides", "Spring tides follow the full and the new moon, when the sun and the"
                    + " moon pull together; neap tides come in between. Harbour masters publish tide tables so that"
                    + " deep boats leave at high water."),
            "/knots", page("Knots every sailor knows", "A bowline makes a fixed loop at the end of a rope that will"
                    + " not slip or jam. A clove hitch ties a line to a post quickly, and a reef knot joins two ends"
                    + " of a rope around a sail."));

    static String page(String title, String body, String... links) {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
                .append(title).append("</title></head><body><main><h1>").append(title).append("</h1><p>")
                .append(body).append("</p>");
        for (String link : links) {
            sb.append("<a href=\"").append(link).append("\">").append(link).append("</a> ");
        }
        return sb.append("</main></body></html>").toString();
    }

    @BeforeAll
    static void start() throws Exception {
        // The endless site answers slowly, so the second scrape is still running when it is cancelled.
        setup = Browsers.Dashboard.start(PAGES, 300, n -> page("Slow page " + n, "Slow page number " + n
                + " about the weather in spring, with rain and sunshine.", "/slow/" + (2 * n + 1),
                "/slow/" + (2 * n + 2)));
        daemon = setup.daemon();
        dashboard = setup.url();
        siteBase = setup.siteBase();
        browser = setup.browser();
    }

    static String httpUrl(EmbeddedDaemon d) {
        return Browsers.Dashboard.httpUrl(d);
    }

    @AfterAll
    static void stop() throws Exception {
        if (setup != null) {
            setup.close();
        }
    }

    @Test
    void scrapeWatchCancelSearchAndReconnect() throws Exception {
        ChromeDriver driver = browser.driver();
        WebDriverWait wait = waiter(driver, 30);
        driver.manage().logs().get(LogType.BROWSER);  // start with an empty console log
        driver.get(dashboard + "/");
        assertEquals("dindex", driver.getTitle());
        wait.until(attributeIs(By.id("connection"), "data-state", "open"));
        wait.until(textIs(By.id("stat-documents"), "0"));
        assertTrue(text(driver, "#version").startsWith("v"), "daemon version in the header");
        assertTrue(driver.findElements(By.cssSelector("#job-list .job")).isEmpty());
        assertFalse(driver.findElement(By.id("stat-cluster-tile")).isDisplayed(), "no cluster tile on a lone daemon");
        shot("01-empty");

        // Imports over HTTP are off here: the form shows the daemon's own explanation.
        driver.findElement(By.id("tab-import")).click();
        driver.findElement(By.id("import-path")).sendKeys("/tmp/enwiki.xml.bz2");
        driver.findElement(By.id("import-submit")).click();
        wait.until(d -> text(d, "#import-message").contains("imports over HTTP are disabled"));
        driver.findElement(By.id("tab-scrape")).click();

        // A scrape of the small site, started through the form: progress reaches 100 %, the crawl log fills.
        startScrape(driver, siteBase + "/", "1", "10", "0");
        WebElement first = wait.until(d -> newestJob(d, null));
        String firstId = first.getDomAttribute("data-job-id");
        wait.until(attributeIs(jobBy(firstId), "data-state", "completed"));
        WebElement bar = driver.findElement(By.cssSelector(jobCss(firstId) + " .progress"));
        assertEquals("100", bar.getDomAttribute("aria-valuenow"));
        assertEquals("100%", text(driver, jobCss(firstId) + " .progress-pct"));
        assertEquals("completed", text(driver, jobCss(firstId) + " .state-badge"));
        wait.until(d -> d.findElements(By.cssSelector(jobCss(firstId) + " .log-row[data-kind='indexed']")).size()
                == PAGES.size());
        WebElement lighthouseRow = driver.findElement(By.cssSelector(jobCss(firstId)
                + " .log-row[data-key='url:" + siteBase + "/lighthouses']"));
        assertEquals("indexed", lighthouseRow.getDomAttribute("data-kind"));
        assertTrue(lighthouseRow.getText().matches("(?s).*\\d+ chunks? · \\d+ words.*"), lighthouseRow.getText());
        assertEquals(String.valueOf(PAGES.size()), text(driver, jobCss(firstId) + " .counter[data-counter='indexed'] dd"));
        wait.until(d -> Integer.parseInt(d.findElement(By.id("stat-documents")).getDomAttribute("data-value")) > 0);
        shot("02-scrape-completed");

        // The stream drops: the banner says so, the dashboard reconnects and resubscribes by itself.
        assertEquals(Boolean.TRUE, js(driver, "return window.dindexDebug.dropConnection()"));
        WebElement banner = driver.findElement(By.id("banner"));
        assertTrue(banner.isDisplayed());
        assertTrue(banner.getText().contains("Connection to the daemon lost — reconnecting…"), banner.getText());
        assertEquals("Reconnecting…", text(driver, "#connection-text"));
        shot("03-reconnecting");
        wait.until(attributeIs(By.id("connection"), "data-state", "open"));
        assertEquals(2L, js(driver, "return window.dindexDebug.connects"));
        wait.until(d -> text(d, "#banner-text").contains("Reconnected") || !d.findElement(By.id("banner"))
                .isDisplayed());

        // An endless, slow scrape: live progress and log lines arrive over the new connection; then cancel it.
        startScrape(driver, siteBase + "/slow/0", "20", "1000", "200");
        WebElement second = wait.until(d -> newestJob(d, firstId));
        String secondId = second.getDomAttribute("data-job-id");
        wait.until(attributeIs(jobBy(secondId), "data-state", "running"));
        wait.until(d -> d.findElements(By.cssSelector(jobCss(secondId) + " .log-row[data-kind='indexed']"))
                .size() >= 2);
        wait.until(d -> text(d, jobCss(secondId) + " .job-count").matches("[1-9]\\d* / 1,000 pages"));
        shot("04-scrape-running");
        driver.findElement(By.cssSelector(jobCss(secondId) + " .job-cancel")).click();
        wait.until(attributeIs(jobBy(secondId), "data-state", "cancelled"));
        assertEquals("cancelled", text(driver, jobCss(secondId) + " .state-badge"));
        assertFalse(driver.findElement(By.cssSelector(jobCss(secondId) + " .job-cancel")).isDisplayed(),
                "no cancel button on a finished job");
        shot("05-cancelled");

        // Search: grouped results, highlighted snippet, numbered citation linking to the page.
        WebElement input = driver.findElement(By.id("search-input"));
        input.sendKeys("how far away can the lighthouse be seen", Keys.ENTER);
        wait.until(d -> !d.findElements(By.cssSelector("#search-results .result")).isEmpty());
        WebElement top = driver.findElements(By.cssSelector("#search-results .result")).getFirst();
        assertEquals("Lighthouses of the northern cape", top.findElement(By.cssSelector(".result-title")).getText());
        assertEquals(siteBase + "/lighthouses", top.findElement(By.cssSelector(".result-title a"))
                .getDomProperty("href"));
        List<WebElement> marks = top.findElements(By.cssSelector(".snippet mark"));
        assertFalse(marks.isEmpty(), "query terms are highlighted");
        assertTrue(marks.stream().anyMatch(m -> m.getText().toLowerCase().startsWith("lighthouse")),
                marks.stream().map(WebElement::getText).toList().toString());
        assertEquals("[1]", top.findElement(By.cssSelector(".cite-num")).getText());
        WebElement citation = driver.findElement(By.cssSelector(".citations .citation[data-number='1']"));
        assertTrue(citation.getText().startsWith("[1]"), citation.getText());
        assertEquals(siteBase + "/lighthouses", citation.findElement(By.cssSelector("a")).getDomProperty("href"));
        assertTrue(text(driver, "#search-status").matches("\\d+ documents? · \\d+ passages? · .* ms"),
                text(driver, "#search-status"));
        long documents = Long.parseLong(driver.findElement(By.id("stat-documents")).getDomAttribute("data-value"));
        assertTrue(documents >= PAGES.size(), "documents: " + documents);
        shot("06-search");

        // Narrow window: one column, still readable.
        browser.viewport(820, 900);
        wait.until(d -> ((Number) js(d, "return document.querySelector('.columns').children[1]"
                + ".getBoundingClientRect().top")).doubleValue() > ((Number) js(d, "return document.querySelector("
                + "'.columns').children[0].getBoundingClientRect().bottom")).doubleValue() - 1);
        assertEquals(Boolean.TRUE, js(driver, "return document.documentElement.scrollWidth <= 820"),
                "no horizontal scrolling at 820 px");
        shot("07-narrow");
        browser.viewport(1280, 800);

        assertNoBrowserErrors(driver);
    }

    /** A daemon that wants an API key: the dashboard asks for it once, keeps it for the tab and goes live. */
    @Test
    void asksForTheApiKeyAndRetries() throws Exception {
        try (EmbeddedDaemon locked = EmbeddedDaemon.start(Map.of("http.api_keys", "s3cret-key"), List.of())) {
            ChromeDriver driver = browser.driver();
            WebDriverWait wait = waiter(driver, 30);
            driver.get(httpUrl(locked) + "/");
            WebElement dialog = wait.until(d -> {
                WebElement e = d.findElement(By.id("key-dialog"));
                return e.isDisplayed() ? e : null;
            });
            assertTrue(dialog.getText().contains("API key"), dialog.getText());
            shot("08-api-key");
            driver.findElement(By.id("key-input")).sendKeys("s3cret-key", Keys.ENTER);
            wait.until(attributeIs(By.id("connection"), "data-state", "open"));
            wait.until(textIs(By.id("stat-documents"), "0"));
            assertEquals("s3cret-key", js(driver, "return sessionStorage.getItem('dindex.apiKey')"));
            assertFalse(driver.findElement(By.id("key-dialog")).isDisplayed());
        }
    }

    /** The collection picker: the page's statistics and searches follow the collection chosen. */
    @Test
    void theCollectionPickerSwitchesWhatThePageShows() throws Exception {
        try (EmbeddedDaemon own = EmbeddedDaemon.start(Map.of(), List.of()); DindexClient c = own.client()) {
            c.request(Addresses.COLLECTIONS_CREATE, new JsonObject().put("name", "harbour"));
            c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("collection", "harbour").put("documents",
                    new io.vertx.core.json.JsonArray().add(new JsonObject().put("source", "https://example.org/keeper")
                            .put("url", "https://example.org/keeper").put("title", "The keeper's log")
                            .put("text", "Every night the keeper wound the clockwork that turned the great lens."))));
            c.request(Addresses.COMMIT, new JsonObject().put("collection", "harbour"));
            ChromeDriver driver = browser.driver();
            WebDriverWait wait = waiter(driver, 30);
            driver.get(httpUrl(own) + "/");
            wait.until(attributeIs(By.id("connection"), "data-state", "open"));
            wait.until(textIs(By.id("stat-documents"), "0"));
            org.openqa.selenium.support.ui.Select picker = new org.openqa.selenium.support.ui.Select(
                    driver.findElement(By.id("collection-picker")));
            wait.until(d -> picker.getOptions().size() == 2);
            assertEquals(List.of("default", "harbour"), picker.getOptions().stream().map(WebElement::getText)
                    .toList());
            assertEquals("default", picker.getFirstSelectedOption().getText());

            picker.selectByValue("harbour");
            wait.until(attributeIs(By.id("stat-documents"), "data-collection", "harbour"));
            wait.until(textIs(By.id("stat-documents"), "1"));
            driver.findElement(By.id("search-input")).sendKeys("who turned the lens", Keys.ENTER);
            wait.until(d -> !d.findElements(By.cssSelector("#search-results .result")).isEmpty());
            assertEquals("The keeper's log", text(driver, "#search-results .result .result-title"));
            shot("09-collection");

            picker.selectByValue("default");
            wait.until(textIs(By.id("stat-documents"), "0"));
            assertTrue(driver.findElements(By.cssSelector("#search-results .result")).isEmpty(),
                    "results of the other collection are cleared");
            driver.findElement(By.id("search-input")).sendKeys(Keys.ENTER);
            wait.until(d -> text(d, "#search-results").contains("No matches"));
            assertNoBrowserErrors(driver);
        }
    }

    static void startScrape(WebDriver driver, String url, String depth, String maxPages, String delay) {
        fill(driver, "scrape-urls", url);
        fill(driver, "scrape-depth", depth);
        fill(driver, "scrape-max-pages", maxPages);
        fill(driver, "scrape-delay", delay);
        driver.findElement(By.id("scrape-submit")).click();
    }

    static void fill(WebDriver driver, String id, String value) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    /** The newest job card other than {@code except}, or null while there is none. */
    static WebElement newestJob(WebDriver driver, String except) {
        List<WebElement> jobs = driver.findElements(By.cssSelector("#job-list > .job"));
        if (jobs.isEmpty()) {
            return null;
        }
        WebElement first = jobs.getFirst();
        return first.getDomAttribute("data-job-id").equals(except) ? null : first;
    }

    static String jobCss(String id) {
        return "#job-list > .job[data-job-id='" + id + "']";
    }

    static By jobBy(String id) {
        return By.cssSelector(jobCss(id));
    }

    static String text(WebDriver driver, String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    static Object js(WebDriver driver, String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    static WebDriverWait waiter(WebDriver driver, int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.ignoring(org.openqa.selenium.NoSuchElementException.class);
        return wait;
    }

    static ExpectedCondition<Boolean> attributeIs(By by, String attribute, String value) {
        return d -> value.equals(d.findElement(by).getDomAttribute(attribute));
    }

    static ExpectedCondition<Boolean> textIs(By by, String value) {
        return d -> value.equals(d.findElement(by).getText());
    }

    static void shot(String name) throws Exception {
        browser.screenshot(SHOTS.resolve("dashboard-" + name + ".png"));
    }

    /**
     * Nothing blocked by the content security policy, no uncaught exceptions, no failed loads (but the refused import,
     * which the browser reports as a failed request).
     */
    static void assertNoBrowserErrors(WebDriver driver) {
        List<String> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage)
                .filter(m -> !(m.contains("/api/v1/import") && m.contains("403"))).toList();
        assertEquals(List.of(), severe);
    }
}
