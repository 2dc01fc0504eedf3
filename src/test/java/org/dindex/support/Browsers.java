package org.dindex.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.protocol.Addresses;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real headless Chromium for browser tests, driven by Debian's chromedriver: explicit driver and browser paths, so
 * Selenium Manager never runs (nothing is downloaded). CI installs both with
 * {@code apt-get install -y --no-install-recommends chromium chromium-driver}; the paths can be overridden with the
 * {@code CHROMEDRIVER} and {@code CHROMIUM_BIN} system properties or environment variables.
 */
public final class Browsers {
    public static final String INSTALL = "apt-get install -y --no-install-recommends chromium chromium-driver";
    /** Debian package chromium-driver. */
    public static final String DRIVER = setting("CHROMEDRIVER", "/usr/bin/chromedriver");
    /** Debian package chromium: the real binary, not the /usr/bin/chromium shell wrapper. */
    public static final String BROWSER = setting("CHROMIUM_BIN", "/usr/lib/chromium/chromium");

    /**
     * ChromeDriver looks for a selenium-devtools-vNNN module matching the browser and logs a warning when none is on
     * the class path; only plain CDP commands are used here, so that warning is noise (a strong reference keeps the
     * level from being garbage collected).
     */
    private static final Logger CDP_VERSION_LOGGER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_VERSION_LOGGER.setLevel(Level.SEVERE);
    }

    private Browsers() {
    }

    private static String setting(String name, String fallback) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A started browser and its throwaway profile folder; close() quits the browser and deletes the profile. */
    public record Session(ChromeDriver driver, Path profile) implements AutoCloseable {
        /** The viewport in CSS pixels (the headless window's own size includes emulated browser chrome). */
        public void viewport(int width, int height) {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                    "deviceScaleFactor", 1, "mobile", false));
        }

        /** A PNG of the whole page, not just the viewport. */
        public void screenshot(Path file) throws IOException {
            Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
            Map<?, ?> size = (Map<?, ?>) metrics.get("cssContentSize");
            double width = ((Number) size.get("width")).doubleValue();
            double height = ((Number) size.get("height")).doubleValue();
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                    "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", width, "height", height,
                            "scale", 1)));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        }

        @Override
        public void close() {
            try {
                driver.quit();
            } finally {
                TestDirs.deleteTree(profile);
            }
        }
    }

    /**
     * The setup every dashboard browser test shares: a small site on loopback for the dashboard to scrape (fixed
     * pages, and below {@code /slow/<n>} an endless site answering after a delay), a real daemon, its dashboard's URL
     * and a headless Chromium. {@link #close()} stops them in reverse order; a start that fails half-way stops what it
     * started.
     */
    public record Dashboard(Vertx web, HttpServer site, String siteBase, EmbeddedDaemon daemon, String url,
                            Session browser) implements AutoCloseable {
        /**
         * Serves {@code pages} by path and {@code slowPage.apply(n)} for {@code /slow/<n>} after {@code slowDelayMs};
         * anything else is a 404.
         */
        public static Dashboard start(Map<String, String> pages, long slowDelayMs, LongFunction<String> slowPage)
                throws Exception {
            Vertx web = Vertx.vertx();
            EmbeddedDaemon daemon = null;
            try {
                HttpServer site = web.createHttpServer().requestHandler(req -> {
                    String path = req.path();
                    if (pages.containsKey(path)) {
                        req.response().putHeader("content-type", "text/html; charset=utf-8").end(pages.get(path));
                    } else if (path.matches("/slow/\\d{1,9}")) {
                        long n = Long.parseLong(path.substring(6));
                        web.setTimer(slowDelayMs, t -> req.response().putHeader("content-type",
                                "text/html; charset=utf-8").end(slowPage.apply(n)));
                    } else {
                        req.response().setStatusCode(404).end("not found");
                    }
                }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
                daemon = EmbeddedDaemon.start(Map.of(), List.of());
                String url = httpUrl(daemon);
                return new Dashboard(web, site, "http://127.0.0.1:" + site.actualPort(), daemon, url, Browsers.start());
            } catch (Exception | Error e) {
                try {
                    if (daemon != null) {
                        daemon.close();
                    }
                } finally {
                    web.close().await(10, TimeUnit.SECONDS);
                }
                throw e;
            }
        }

        /** The dashboard's URL of a daemon, as its status reports it. */
        public static String httpUrl(EmbeddedDaemon d) {
            try (DindexClient c = d.client()) {
                return c.request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url");
            }
        }

        @Override
        public void close() throws Exception {
            try {
                browser.close();
            } finally {
                try {
                    daemon.close();
                } finally {
                    web.close().await(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Starts headless Chromium with a 1280x800 viewport; fails with the install command when it is missing. */
    public static Session start() throws IOException {
        System.setProperty("SE_AVOID_STATS", "true");
        System.setProperty("SE_OFFLINE", "true");
        if (!new File(DRIVER).canExecute()) {
            throw new IllegalStateException("chromedriver not found at " + DRIVER + ": install it with '" + INSTALL
                    + "' (or set CHROMEDRIVER)");
        }
        if (!new File(BROWSER).canExecute()) {
            throw new IllegalStateException("Chromium not found at " + BROWSER + ": install it with '" + INSTALL
                    + "' (or set CHROMIUM_BIN)");
        }
        Path profile = Files.createTempDirectory("chromium-profile-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",              // needed when running as root (containers, CI)
                "--disable-gpu",
                "--disable-dev-shm-usage",   // small /dev/shm in containers
                "--user-data-dir=" + profile,
                "--window-size=1280,800",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--metrics-recording-only",
                "--password-store=basic",
                "--use-mock-keychain",
                "--lang=en-US");
        options.setPageLoadStrategy(PageLoadStrategy.NORMAL);
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService.Builder service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort();
        String log = System.getProperty("chromedriver.log");
        if (log != null) {
            service.withLogFile(new File(log)).withVerbose(true);
        } else {
            service.withSilent(true);
        }
        ChromeDriver driver = null;
        try {
            driver = new ChromeDriver(service.build(), options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            Session session = new Session(driver, profile);
            session.viewport(1280, 800);
            return session;
        } catch (RuntimeException | Error e) {
            if (driver != null) {
                driver.quit();
            }
            TestDirs.deleteTree(profile);
            throw e;
        }
    }
}
