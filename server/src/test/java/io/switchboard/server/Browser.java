package io.switchboard.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian chromium + chromium-driver) driven by Selenium, for the web
 * console's tests: one per test class, waits on the DOM (never sleeps), screenshots under
 * {@code target/screenshots}.
 */
final class Browser implements AutoCloseable {

  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private final ChromeDriver driver;
  private final Path profile;
  private final String base;

  Browser(int webPort) throws IOException {
    this("http://127.0.0.1:" + webPort);
  }

  /** @param base e.g. {@code https://127.0.0.1:8443}: with https, the (throwaway) certificate is accepted */
  Browser(String base) throws IOException {
    this.base = base;
    profile = Files.createTempDirectory("chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    // Without the background-networking flags Chromium keeps calling home on a closed network.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--disable-default-apps", "--metrics-recording-only",
        "--user-data-dir=" + profile, "--window-size=1280,900");
    options.setAcceptInsecureCerts(base.startsWith("https:"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new java.io.File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Opens a console page by its hash route, e.g. "#/buddies". */
  void open(String hash) {
    String url = base + "/" + hash;
    if (driver.getCurrentUrl() != null && driver.getCurrentUrl().startsWith(base + "/")) {
      ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
    } else {
      driver.get(url);
    }
  }

  /** A fresh page load (the console boots again from the session cookie). */
  void load(String hash) {
    String before = driver.getCurrentUrl();
    driver.get(base + "/" + hash);
    if (before != null && before.startsWith(base + "/")) {
      driver.navigate().refresh(); // a URL differing only in its hash would not reload
    }
  }

  static By id(String testid) {
    return By.cssSelector("[data-testid=\"" + testid + "\"]");
  }

  WebElement find(String testid) {
    return until(d -> {
      List<WebElement> found = d.findElements(id(testid));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "a visible [data-testid=" + testid + "]");
  }

  boolean present(String testid) {
    return !driver.findElements(id(testid)).isEmpty();
  }

  /** Waits until the element's text contains {@code text}; returns the whole text. */
  String waitText(String testid, String text) {
    return until(d -> {
      List<WebElement> found = d.findElements(id(testid));
      String t = found.isEmpty() ? null : found.get(0).getText();
      return t != null && t.contains(text) ? t : null;
    }, "[data-testid=" + testid + "] to contain \"" + text + "\"");
  }

  /** Waits until the element's attribute has {@code value}. */
  void waitAttribute(String testid, String attribute, String value) {
    until(d -> {
      List<WebElement> found = d.findElements(id(testid));
      return !found.isEmpty() && value.equals(found.get(0).getDomAttribute(attribute)) ? Boolean.TRUE : null;
    }, "[data-testid=" + testid + "] " + attribute + "=" + value);
  }

  <T> T until(ExpectedCondition<T> condition, String what) {
    try {
      return new WebDriverWait(driver, Duration.ofSeconds(20)).withMessage(() -> "waited for " + what)
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      screenshot("failed-" + System.currentTimeMillis());
      throw new AssertionError(e.getMessage() + "\n--- page text:\n" + driver.findElement(By.tagName("body")).getText(), e);
    }
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  void type(String testid, String text) {
    WebElement e = find(testid);
    e.clear();
    e.sendKeys(text);
  }

  void click(String testid) {
    find(testid).click();
  }

  /** Logs in through the login page (logging out first when a session is open). */
  void login(String username, String password) {
    load("#/login");
    until(d -> d.findElements(id("logout")).stream().anyMatch(WebElement::isDisplayed) ? "session"
        : !d.findElements(id("login-username")).isEmpty() ? "login" : null, "the login page or a session");
    if (!present("login-username")) {
      click("logout");
    }
    type("login-username", username);
    type("login-password", password);
    click("login-submit");
    until(d -> {
      List<WebElement> who = d.findElements(id("whoami"));
      return !who.isEmpty() && who.get(0).isDisplayed() && !present("login-username")
          && username.equals(who.get(0).getDomAttribute("data-username")) ? Boolean.TRUE : null;
    }, "the console of " + username);
    find("buddy-list");
  }

  /** Cuts the page off the network (DevTools' network emulation), or back on. */
  void offline(boolean offline) {
    driver.executeCdpCommand("Network.enable", java.util.Map.of());
    driver.executeCdpCommand("Network.emulateNetworkConditions", java.util.Map.of("offline", offline, "latency", 0,
        "downloadThroughput", -1, "uploadThroughput", -1));
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  void screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
