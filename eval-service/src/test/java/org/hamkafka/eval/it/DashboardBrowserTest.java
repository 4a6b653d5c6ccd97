package org.hamkafka.eval.it;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.contracts.Codec;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.contracts.Topics;
import org.hamkafka.contracts.TrainingProgress;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.eval.persistence.EvalResultStore;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.testsupport.KafkaResource;
import org.hamkafka.testsupport.PostgresResource;
import org.hamkafka.testsupport.S3Resource;
import org.hamkafka.testsupport.TestKafka;
import org.hamkafka.testsupport.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless Chromium (the system's {@code chromium} and {@code chromedriver}), against the
 * service on real Kafka and PostgreSQL: what the pages draw is compared with what the REST API answers. Results are
 * stored through {@link EvalResultStore} (the evaluation itself is EvalServiceKafkaTest's subject), the live page is
 * fed by records on the real topics. Screenshots go to {@code target/dashboard-*.png}.
 * <p>
 * Without Chromium the test is skipped on a developer's machine and fails under CI (env {@code CI} set), where
 * scripts/setup.sh installs it.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(S3Resource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TinyFashionMnist.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    static final List<String> CLASSES = Datasets.info("fashion-mnist").classNames();
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TestHTTPResource("/")
    URL root;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    EvalResultStore store;

    WebDriver driver;
    Path profile;
    final String base = "dash-base-" + UUID.randomUUID();
    final String candidate = "dash-cand-" + UUID.randomUUID();

    @BeforeAll
    void startBrowserAndStoreResults() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("CI") != null) {
            fail("CI must run the dashboard's browser tests: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing "
                    + "(scripts/setup.sh installs the packages chromium and chromium-driver)");
        }
        assumeTrue(present, "no " + CHROMIUM + " / " + CHROMEDRIVER + " here: apt-get install -y chromium "
                + "chromium-driver to run the dashboard's browser tests");
        profile = Files.createTempDirectory("ham-dashboard-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1280,1700", "--user-data-dir=" + profile);
        // the system's driver, named: Selenium Manager must not try to download one
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);

        // base: two epochs; candidate: three, its best at the last
        store(base, 0, 0.80, 0.30);
        store(base, 1, 0.82, 0.33);
        store(candidate, 0, 0.70, 0.25);
        store(candidate, 1, 0.78, 0.35);
        store(candidate, 2, 0.80, 0.42);
    }

    @AfterAll
    void quitBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @BeforeEach
    void doublesAsDoubles() {
        RestAssured.config = RestAssured.config().jsonConfig(JsonConfig.jsonConfig()
                .numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
        RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                .addHeader("Authorization", TestTokens.viewer()).build();
    }

    @Test
    void withoutATokenThePageAsksForOneAndTheTokenPageKeepsItInACookie() {
        driver.get(url("/dashboard"));
        driver.manage().deleteAllCookies();
        driver.get(url("/dashboard"));
        awaitReady("failed");
        assertTrue(driver.findElement(By.id("auth")).isDisplayed(), "the sign-in notice is shown");

        driver.get(url("/dashboard/token"));
        driver.findElement(By.id("token")).sendKeys(TestTokens.viewer()); // "Bearer ..." as the tests hold it
        driver.findElement(By.id("save")).click();
        new WebDriverWait(driver, WAIT).until(d -> d.getCurrentUrl().endsWith("/dashboard"));
        awaitReady("true");
        assertFalse(driver.findElement(By.id("auth")).isDisplayed());
        Cookie cookie = driver.manage().getCookieNamed("ham_token");
        assertTrue(cookie != null && !cookie.getValue().startsWith("Bearer"), "the bare token is kept");

        // the jobs table shows what /results/jobs says
        JsonPath jobs = given().when().get("/results/jobs").then().statusCode(200).extract().jsonPath();
        for (String job : List.of(base, candidate)) {
            WebElement row = driver.findElement(By.cssSelector("#jobs tr[data-job='" + job + "']"));
            List<WebElement> cells = row.findElements(By.tagName("td"));
            assertEquals(String.valueOf(jobs.getInt("find { it.job_id == '" + job + "' }.epochs")), cells.get(5).getText());
            assertEquals(jobs.getDouble("find { it.job_id == '" + job + "' }.robust_worst"),
                    Double.parseDouble(cells.get(9).getAttribute("data-value")), 1e-12);
            assertEquals(jobs.getString("find { it.job_id == '" + job + "' }.worst_class"), cells.get(10).getText());
        }
        assertEquals(3, jobs.getInt("find { it.job_id == '" + candidate + "' }.epochs"));
        assertEquals(2, jobs.getInt("find { it.job_id == '" + candidate + "' }.latest_epoch"));
        screenshot("jobs");
    }

    @Test
    void aJobsChartsDrawTheRestNumbers() throws Exception {
        signIn();
        driver.get(url("/dashboard/jobs/" + candidate));
        awaitReady("true");
        JsonPath rows = given().when().get("/results?job={job}", candidate).then().statusCode(200).extract().jsonPath();

        // curves: one point per epoch; the worst-case worst class equals each row's robust_worst
        List<Object> curves = series("curves");
        assertEquals(rows.getList("robust_worst", Double.class), seriesData(curves, "worst-case worst"));
        assertEquals(rows.getList("result.clean_accuracy.average", Double.class), seriesData(curves, "clean avg"));
        assertEquals(rows.getList("result.robust_by_attack.'pgd-20'.worst", Double.class),
                seriesData(curves, "pgd-20 worst"));

        // bars: the chosen (latest) epoch, clean and every attack per class
        List<Object> bars = series("bars");
        assertEquals(rows.getList("[2].result.clean_accuracy.per_class", Double.class), seriesData(bars, "clean"));
        assertEquals(rows.getList("[2].result.robust_by_attack.'cw-20'.per_class", Double.class),
                seriesData(bars, "cw-20"));
        assertEquals(rows.getList("[2].result.over_confident.'pgd-20'", Double.class),
                seriesData(series("overconfident"), "pgd-20"));
        assertTrue(driver.findElement(By.id("checkpoint")).getText().contains("jobs/" + candidate + "/checkpoints/2.npz"));
        // the stored result keeps its sanity warnings; the page shows them in one line beside it
        assertEquals(List.of(WARNING), rows.getList("[2].result.warnings", String.class));
        WebElement warnings = driver.findElement(By.id("warnings"));
        assertTrue(warnings.isDisplayed(), "epoch 2 has a warning");
        assertEquals("⚠ " + WARNING, warnings.getAttribute("textContent"));
        screenshot("job");

        // another epoch chosen: its numbers
        new Select(driver.findElement(By.id("epoch"))).selectByValue("0");
        assertEquals(rows.getList("[0].result.robust_accuracy.per_class", Double.class),
                seriesData(series("bars"), "worst-case"));
        assertFalse(driver.findElement(By.id("warnings")).isDisplayed(), "epoch 0 has no warning");
        String card = driver.findElement(By.linkText("model card")).getAttribute("href");
        assertTrue(card.endsWith("/results/" + candidate + "/0/card"), card);
    }

    @Test
    void comparePageShowsTheRhoOfResultsCompare() {
        signIn();
        driver.get(url("/dashboard/compare?jobs=" + base + "," + candidate + "&base=" + base));
        awaitReady("true");
        JsonPath cmp = given().when().get("/results/compare?base={b}&candidate={c}", base, candidate).then()
                .statusCode(200).extract().jsonPath();
        WebElement row = driver.findElement(By.cssSelector("#rho tr[data-job='" + candidate + "']"));
        double rho = Double.parseDouble(row.findElement(By.className("rho")).getAttribute("data-value"));
        assertEquals(cmp.getDouble("rho"), rho, 1e-12);
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", cmp.getDouble("rho")),
                row.findElement(By.className("rho")).getText());
        assertEquals(cmp.getDouble("rho_clean"),
                Double.parseDouble(row.findElement(By.className("rho-clean")).getAttribute("data-value")), 1e-12);
        assertEquals(cmp.getList("candidate.result.robust_accuracy.per_class", Double.class),
                seriesData(series("bars"), candidate + " (worst-case)"));
        screenshot("compare");
    }

    @Test
    void aNewResultAndTrainingProgressAppearLiveWithoutAReload() throws Exception {
        signIn();
        driver.get(url("/dashboard/live"));
        new WebDriverWait(driver, WAIT).until(d -> "connected".equals(d.findElement(By.id("status")).getText()));
        ((JavascriptExecutor) driver).executeScript("window.notReloaded = true;");

        String job = "dash-live-" + UUID.randomUUID();
        EvalResult result = result(job, 4, 0.75, 0.31);
        TrainingProgress progress = new TrainingProgress(SchemaVersion.CURRENT, job, 5, 1234, 0.42, 0.25, 812.5, 1,
                "RUNNING", Instant.now());
        // the page's consumer starts at the latest offset once it is assigned: send again until it shows
        By resultRow = By.cssSelector("#results tr[data-job='" + job + "']");
        By progressRow = By.cssSelector("#progress tr[data-job='" + job + "']");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (driver.findElements(resultRow).isEmpty() || driver.findElements(progressRow).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the live page never showed job " + job);
            TestKafka.produce(bootstrap, Topics.EVAL_RESULTS, job, Codec.toBytes(result));
            TestKafka.produce(bootstrap, Topics.TRAINING_PROGRESS, job, Codec.toBytes(progress));
            Thread.sleep(2000);
        }
        WebElement row = driver.findElements(resultRow).get(0);
        assertEquals(0.31, Double.parseDouble(row.findElements(By.tagName("td")).get(6).getAttribute("data-value")),
                1e-12);
        assertEquals(result.robustAccuracy().worstClass(), row.findElements(By.tagName("td")).get(7).getText());
        assertEquals("RUNNING", driver.findElements(progressRow).get(0).findElements(By.tagName("td")).get(3).getText());
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript("return window.notReloaded === true;"),
                "the same page, not a reload");
        screenshot("live");
    }

    @Test
    void badRequestsToThePagesAre4xxNamingTheParameter() {
        RestAssured.requestSpecification = null;
        given().when().get("/dashboard/compare").then().statusCode(400).body("parameter", equalTo("jobs"));
        given().when().get("/dashboard/compare?jobs=a").then().statusCode(400).body("parameter", equalTo("jobs"));
        given().when().get("/dashboard/compare?jobs=a,a").then().statusCode(400).body("parameter", equalTo("jobs"));
        given().when().get("/dashboard/compare?jobs=a,b&base=c").then().statusCode(400)
                .body("parameter", equalTo("base"));
        given().urlEncodingEnabled(false).when().get("/dashboard/jobs/%00").then().statusCode(400)
                .body("parameter", equalTo("job"));
        given().urlEncodingEnabled(false).when().get("/dashboard/compare?jobs=a,%00").then().statusCode(400);
        // the pages are open, their data and the event stream are not
        given().when().get("/dashboard").then().statusCode(200).body(containsString("echarts.min.js"));
        given().when().get("/webjars/echarts/5.3.1/dist/echarts.min.js").then().statusCode(200);
        given().when().get("/results/jobs").then().statusCode(401);
        given().when().get("/dashboard/events").then().statusCode(401);
        given().cookie("ham_token", TestTokens.forged().substring("Bearer ".length())).when().get("/results/jobs")
                .then().statusCode(401);
        // a cookie is as good as the header
        given().cookie("ham_token", TestTokens.viewer().substring("Bearer ".length())).when().get("/results/jobs")
                .then().statusCode(200);
    }

    // ------------------------------------------------------------------ helpers

    String url(String path) {
        return root.toString().replaceAll("/$", "") + path;
    }

    void signIn() {
        driver.get(url("/dashboard/token"));
        driver.manage().addCookie(new Cookie("ham_token", TestTokens.viewer().substring("Bearer ".length()), "/"));
    }

    /** Waits for the page's script to finish: {@code true} drawn, {@code failed} stopped (e.g. no token). */
    void awaitReady(String state) {
        new WebDriverWait(driver, WAIT).until(d -> state.equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
    }

    /** What ECharts holds for a chart's series: [{name, data}], data as numbers. */
    @SuppressWarnings("unchecked")
    List<Object> series(String chart) {
        return (List<Object>) ((JavascriptExecutor) driver).executeScript(
                "return window.hamCharts[arguments[0]].getOption().series.map(s => ({name: s.name, data: s.data}));",
                chart);
    }

    @SuppressWarnings("unchecked")
    static List<Double> seriesData(List<Object> series, String name) {
        for (Object o : series) {
            Map<String, Object> s = (Map<String, Object>) o;
            if (name.equals(s.get("name"))) {
                return ((List<Object>) s.get("data")).stream().map(v -> ((Number) v).doubleValue()).toList();
            }
        }
        throw new AssertionError("no series '" + name + "' in " + series);
    }

    void screenshot(String name) {
        try {
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "dashboard-" + name + ".png");
            Files.createDirectories(target.getParent());
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void store(String job, int epoch, double average, double worst) {
        EvalResult r = result(job, epoch, average, worst);
        CheckpointAnnouncement a = new CheckpointAnnouncement(SchemaVersion.CHECKPOINT, job, epoch, r.checkpointKey(),
                r.sha256(), "linear", "fashion-mnist", 0.1f, "ham", Instant.now());
        assertTrue(store.storeEvaluated(a, r, 1000, "{\"dataset\": \"fashion-mnist\"}").isPresent());
    }

    /**
     * A result with robust accuracy of the given average whose worst class (Shirt) has {@code worst}; pgd-20 and
     * cw-20 a little above the worst case; clean accuracy 0.1 higher.
     */
    static EvalResult result(String job, int epoch, double average, double worst) {
        double[] robust = spread(average, worst);
        Map<String, ClassAccuracy> byAttack = new LinkedHashMap<>();
        byAttack.put("pgd-20", ContractMapping.classAccuracy(CLASSES, shift(robust, 0.02)));
        byAttack.put("cw-20", ContractMapping.classAccuracy(CLASSES, shift(robust, 0.01)));
        byAttack.put("worst-case", ContractMapping.classAccuracy(CLASSES, robust));
        Map<String, double[]> over = new LinkedHashMap<>();
        over.put("pgd-20", shift(new double[CLASSES.size()], 0.05 + epoch / 100.0));
        over.put("cw-20", shift(new double[CLASSES.size()], 0.03));
        String key = "jobs/" + job + "/checkpoints/" + epoch + ".npz";
        return new EvalResult(SchemaVersion.EVAL_RESULT, job, epoch, key, "%064x".formatted(epoch + 1L), "fashion-mnist",
                "ham", "linear", 0.1f, "LINF", "worst-case", CLASSES,
                ContractMapping.classAccuracy(CLASSES, shift(robust, 0.1)), byAttack.get("worst-case"), byAttack,
                Map.of(), 1000L, Instant.now(), over, epoch == 2 ? List.of(WARNING) : List.of());
    }

    /** The sanity warning of the results of epoch 2. */
    static final String WARNING = "sanity check 'randomness': two forwards of the same batch differ (largest L2 "
            + "distance of normalized outputs 0.125, tolerance 1e-04); the model seems randomized.";

    /** Per-class values averaging {@code average}, class 6 (Shirt) at {@code worst}, the others above. */
    static double[] spread(double average, double worst) {
        double[] v = new double[CLASSES.size()];
        double rest = (average * v.length - worst) / (v.length - 1);
        for (int c = 0; c < v.length; c++) {
            v[c] = c == 6 ? worst : rest + 0.01 * (c - 4.5) * (c == 6 ? 0 : 1);
        }
        return v;
    }

    static double[] shift(double[] v, double by) {
        double[] s = new double[v.length];
        for (int c = 0; c < v.length; c++) {
            s[c] = Math.min(1, v[c] + by);
        }
        return s;
    }
}
