package org.dindex.http;

import org.dindex.support.Browsers;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.util.List;

import static org.dindex.http.DashboardBrowserTest.PAGES;
import static org.dindex.http.DashboardBrowserTest.assertNoBrowserErrors;
import static org.dindex.http.DashboardBrowserTest.attributeIs;
import static org.dindex.http.DashboardBrowserTest.jobBy;
import static org.dindex.http.DashboardBrowserTest.jobCss;
import static org.dindex.http.DashboardBrowserTest.newestJob;
import static org.dindex.http.DashboardBrowserTest.page;
import static org.dindex.http.DashboardBrowserTest.startScrape;
import static org.dindex.http.DashboardBrowserTest.text;
import static org.dindex.http.DashboardBrowserTest.waiter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's charts, job sparklines and Context tab in a real headless Chromium against a real daemon (the
 * bundled model): during a real ingest (a slow, endless scrape of a site served on loopback) the "Last hour" charts
 * gain points as the daemon's samples arrive and the ingest chart shows a non-zero rate, the running job's card draws
 * its rate, a page opened late gets the history at once, and the Context tab shows what {@code dindex context} would
 * hand an LLM, with [n] markers and the numbered sources. Screenshots:
 * {@code target/screenshots/dashboard-charts-*.png}.
 */
@Timeout(300)
class DashboardChartsBrowserTest {
    static Browsers.Dashboard setup;
    static EmbeddedDaemon daemon;
    static String dashboard;
    static String siteBase;
    static Browsers.Session browser;

    @BeforeAll
    static void start() throws Exception {
        setup = Browsers.Dashboard.start(PAGES, 250, n -> page("Weather log " + n, ("Weather log entry " + n
                + ": a grey morning with rain from the west, then sunshine and a cold wind over the fields in the"
                + " afternoon. ").repeat(6), "/slow/" + (2 * n + 1), "/slow/" + (2 * n + 2)));
        daemon = setup.daemon();
        dashboard = setup.url();
        siteBase = setup.siteBase();
        browser = setup.browser();
    }

    @AfterAll
    static void stop() throws Exception {
        if (setup != null) {
            setup.close();
        }
    }

    @Test
    void chartsDrawLiveSamplesJobsDrawTheirRateAndTheContextTabShowsTheBlock() throws Exception {
        ChromeDriver driver = browser.driver();
        WebDriverWait wait = waiter(driver, 60);
        driver.manage().logs().get(LogType.BROWSER);
        driver.get(dashboard + "/");
        wait.until(attributeIs(By.id("connection"), "data-state", "open"));
        assertEquals(List.of("ingest", "queue", "latency", "chunks"), driver.findElements(By.cssSelector(
                "#charts .chart")).stream().map(e -> e.getDomAttribute("data-chart")).toList());
        // The daemon sampled at start: the history already holds a sample, drawn as soon as the page subscribed.
        wait.until(d -> points(d, "queue") >= 1);
        assertTrue(text(driver, "#trends-note").startsWith("sampled every 5 s"), text(driver, "#trends-note"));

        // A small site first, so the Context tab has pages to cite.
        startScrape(driver, siteBase + "/", "1", "10", "0");
        String small = wait.until(d -> newestJob(d, null)).getDomAttribute("data-job-id");
        wait.until(attributeIs(jobBy(small), "data-state", "completed"));

        // A real ingest that lasts: an endless, slow site, every page embedded by the bundled model.
        int before = points(driver, "ingest");
        startScrape(driver, siteBase + "/slow/0", "20", "1000", "100");
        String slow = wait.until(d -> newestJob(d, small)).getDomAttribute("data-job-id");
        wait.until(attributeIs(jobBy(slow), "data-state", "running"));
        wait.until(d -> points(d, "ingest") >= before + 2 && max(d, "ingest") > 0);
        String line = attribute(driver, "#charts .chart[data-chart='ingest'] .chart-line", "d");
        assertTrue(line.matches("M[\\d.]+ [\\d.]+(L[\\d.]+ [\\d.]+)+.*"), "a line through the samples: " + line);
        int seen = points(driver, "ingest");
        wait.until(d -> points(d, "ingest") > seen);  // and it keeps growing, one point per sample
        wait.until(d -> max(d, "chunks") > 0);
        assertTrue(points(driver, "queue") >= seen, "the queue is sampled alongside");

        // The running job's card draws its rate over time.
        String spark = jobCss(slow) + " .job-trend svg.spark";
        wait.until(d -> Integer.parseInt(d.findElement(By.cssSelector(spark)).getDomAttribute("data-points")) >= 2);
        assertTrue(attribute(driver, spark + " .spark-line", "d").contains("L"), "a line, not a dot");
        assertTrue(Double.parseDouble(driver.findElement(By.cssSelector(spark)).getDomAttribute("data-max")) > 0);
        assertTrue(text(driver, jobCss(slow) + " .job-trend-label").matches("peak [\\d.,]+ pages/s · \\d+ min"),
                text(driver, jobCss(slow) + " .job-trend-label"));

        // A search shows up as latency in the next sample.
        driver.findElement(By.id("search-input")).sendKeys("grey morning rain", Keys.ENTER);
        wait.until(d -> !d.findElements(By.cssSelector("#search-results .result")).isEmpty());
        wait.until(d -> points(d, "latency") >= 1 && max(d, "latency") > 0);
        assertTrue(text(driver, "#charts .chart[data-chart='latency'] .chart-value")
                .matches("(?s)p50 [\\d.,]+ m?s.*p99 [\\d.,]+ m?s.*"),
                text(driver, "#charts .chart[data-chart='latency'] .chart-value"));
        shot("01-live");

        // The Context tab: the block dindex context would hand an LLM, with [n] markers and numbered sources.
        driver.findElement(By.id("tab-context")).click();
        assertFalse(driver.findElement(By.id("search-form")).isDisplayed(), "the search form steps aside");
        WebElement question = driver.findElement(By.id("context-input"));
        question.clear();
        question.sendKeys("how far away can the lighthouse be seen", Keys.ENTER);
        wait.until(d -> d.findElement(By.id("context-result")).isDisplayed());
        String block = text(driver, "#context-text");
        assertTrue(block.startsWith("[1] "), block);
        assertTrue(block.contains("twenty nautical miles"), block);
        assertTrue(block.contains("Sources:"), block);
        assertFalse(driver.findElements(By.cssSelector("#context-text .context-cite[data-number='1']")).isEmpty());
        WebElement first = driver.findElement(By.cssSelector("#context-citations .citation[data-number='1']"));
        assertEquals(siteBase + "/lighthouses", first.findElement(By.cssSelector("a")).getDomProperty("href"));
        assertTrue(first.getText().startsWith("[1]"), first.getText());
        assertEquals("Lighthouses of the northern cape", first.findElement(By.cssSelector(".citation-title"))
                .getText());
        assertTrue(text(driver, "#context-meter").matches("[\\d,]+ of 2,000 tokens"), text(driver, "#context-meter"));
        assertTrue(text(driver, "#context-status").matches("\\d+ passages?.*"), text(driver, "#context-status"));
        shot("02-context");
        driver.findElement(By.id("tab-search")).click();
        assertTrue(driver.findElement(By.id("search-form")).isDisplayed());

        // A page opened late: the hour kept in the daemon comes with the subscription, charts and sparkline at once.
        int kept = points(driver, "ingest");
        driver.navigate().refresh();
        WebDriverWait quick = waiter(driver, 4);
        quick.until(d -> points(d, "ingest") >= kept);
        quick.until(d -> Integer.parseInt(d.findElement(By.cssSelector(spark)).getDomAttribute("data-points")) >= 2);
        shot("03-reopened");

        driver.findElement(By.cssSelector(jobCss(slow) + " .job-cancel")).click();
        wait.until(attributeIs(jobBy(slow), "data-state", "cancelled"));
        assertNoBrowserErrors(driver);
    }

    static int points(WebDriver d, String chart) {
        return Integer.parseInt(d.findElement(By.cssSelector("#charts .chart[data-chart='" + chart + "'] .chart-svg"))
                .getDomAttribute("data-points"));
    }

    static double max(WebDriver d, String chart) {
        return Double.parseDouble(d.findElement(By.cssSelector("#charts .chart[data-chart='" + chart
                + "'] .chart-svg")).getDomAttribute("data-max"));
    }

    static String attribute(WebDriver d, String css, String name) {
        return d.findElement(By.cssSelector(css)).getDomAttribute(name);
    }

    static void shot(String name) throws Exception {
        browser.screenshot(DashboardBrowserTest.SHOTS.resolve("dashboard-charts-" + name + ".png"));
    }
}
