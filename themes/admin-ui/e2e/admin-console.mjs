#!/usr/bin/env node
// Drives the LLM Gateway page of the llm-gateway admin console in headless Chromium against a running Keycloak, as a
// realm admin would: opens "LLM Gateway" from the navigation, adds a provider after a successful connection test,
// sets a provider's rate limits, moves a provider to the top of the fallback chain, switches the routing strategy, adds a
// model alias, edits a power level and its rate limits (a bad one first: the server's refusal shows under the field),
// sets, changes and clears a client's rate-limit override and sets a user's, reads the statistics and the charts,
// exports the CSV, deletes the provider; then, as an admin who may only view the realm, finds no edit control. Screenshots in light and dark mode and at a narrow width.
//
// Environment:
//   KC_URL                  server root, e.g. http://localhost:8080 (required)
//   KC_REALM                realm whose adminTheme is llm-gateway; its console is /admin/{realm}/console (required)
//   KC_ADMIN, KC_ADMIN_PASSWORD     a user of that realm with realm-admin (required)
//   KC_VIEWER, KC_VIEWER_PASSWORD   a user of that realm with view-realm only (required)
//   KC_VENDOR_URL           base URL of an OpenAI-compatible (fake) vendor for the new provider (required)
//   KC_KEY                  an API key that vendor accepts (required)
//   KC_MOVE_PROVIDER        name of the provider to move to the top of the fallback chain (required)
//   KC_LEVEL                id of the power level to edit; its monthly budget becomes KC_LEVEL_BUDGET (required)
//   KC_LEVEL_BUDGET         the new monthly budget (default 42)
//   KC_LEVEL_RPM            the level's new requests per minute (default 60)
//   KC_LIMIT_PROVIDER       name of the provider whose limits are set to 500 requests/min and 8 streams
//                           (default KC_MOVE_PROVIDER)
//   KC_OVERRIDE_CLIENT      clientId whose override is set, changed and cleared (default account)
//   KC_OVERRIDE_USER        username who keeps an override of 2 concurrent streams (default KC_VIEWER)
//   KC_ALIAS, KC_ALIAS_MODEL        the alias to add and its model (default e2e-fast → gpt-4o-mini)
//   KC_STRATEGY             the strategy to switch to (default cost)
//   KC_EXPECT_CALLS         gateway calls made before the run: the cards and charts must show at least these
//   SCREENSHOT_DIR          where the PNGs and the exported CSV go (default e2e-screenshots)
//   CHROMIUM_PATH           the browser (default /usr/bin/chromium); playwright-core never downloads one
// Prints "e2e: RESULT {json}" with what it saw; exits 0 when every step passed, 1 with the failed step otherwise.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { chromium } from "playwright-core";

const DEADLINE_MS = 240_000;
const STEP_TIMEOUT_MS = 20_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`e2e: set ${name} (see the top of ${process.argv[1]})`);
    process.exit(2);
  }
  return value;
}

const kcUrl = required("KC_URL").replace(/\/+$/, "");
const realm = required("KC_REALM");
const admin = { user: required("KC_ADMIN"), password: required("KC_ADMIN_PASSWORD") };
const viewer = { user: required("KC_VIEWER"), password: required("KC_VIEWER_PASSWORD") };
const vendorUrl = required("KC_VENDOR_URL");
const apiKey = required("KC_KEY");
const moveProvider = required("KC_MOVE_PROVIDER");
const levelId = required("KC_LEVEL");
const levelBudget = process.env.KC_LEVEL_BUDGET || "42";
const levelRpm = process.env.KC_LEVEL_RPM || "60";
const limitProvider = process.env.KC_LIMIT_PROVIDER || moveProvider;
const overrideClient = process.env.KC_OVERRIDE_CLIENT || "account";
const overrideUser = process.env.KC_OVERRIDE_USER || viewer.user;
const alias = process.env.KC_ALIAS || "e2e-fast";
const aliasModel = process.env.KC_ALIAS_MODEL || "gpt-4o-mini";
const strategy = process.env.KC_STRATEGY || "cost";
const expectCalls = Number(process.env.KC_EXPECT_CALLS || "0");
const screenshotDir = resolve(process.env.SCREENSHOT_DIR || "e2e-screenshots");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const consoleUrl = `${kcUrl}/admin/${encodeURIComponent(realm)}/console/`;
const pageUrl = `${consoleUrl}#/${encodeURIComponent(realm)}/llm-gateway`;
const NEW_PROVIDER = "E2E Provider";

mkdirSync(screenshotDir, { recursive: true });

let step = "start";
let browser;
const problems = [];
const result = {};
const started = Date.now();

const deadline = setTimeout(() => {
  console.error(`e2e: FAILED: gave up after ${DEADLINE_MS / 1000} s, during step "${step}"`);
  void browser?.close();
  process.exit(1);
}, DEADLINE_MS);

function log(message) {
  console.log(`e2e: [${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

async function shot(page, name) {
  const path = join(screenshotDir, name);
  await page.screenshot({ path, fullPage: true });
  log(`screenshot ${path}`);
}

const byId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** The text of the newest console alert (PatternFly toast), without the screen-reader prefix. */
async function lastAlert(page) {
  const alert = page.locator(".pf-v5-c-alert-group .pf-v5-c-alert").last();
  await alert.waitFor();
  const title = (await alert.locator(".pf-v5-c-alert__title").innerText()).replace(/^\w+ alert:\s*/, "").trim();
  const danger = (await alert.getAttribute("class"))?.includes("pf-m-danger");
  return { title, danger };
}

/** Closes the toasts shown, so the next one read is the answer to the next action. */
async function clearAlerts(page) {
  const close = page.locator(".pf-v5-c-alert-group .pf-v5-c-alert__action button");
  while (await close.count()) {
    await close.first().click();
  }
}

/** Runs an action that must end with a success toast, and returns the toast's title. */
async function expectSuccess(page, what, action) {
  await clearAlerts(page);
  await action();
  const alert = await lastAlert(page);
  if (alert.danger) {
    throw new Error(`${what} failed: ${alert.title}`);
  }
  log(`${what}: "${alert.title}"`);
  await page
    .locator(".pf-v5-c-alert-group .pf-v5-c-alert__action button")
    .last()
    .click()
    .catch(() => {});
}

async function newPage(colorScheme = "light", width = 1400) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "en-US", colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on("pageerror", (error) => problems.push(`uncaught error: ${error.message}`));
  page.on("console", (message) => {
    // The browser's own 401/404 resource lines are the console's business; uncaught errors are ours.
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  return page;
}

async function logIn(page, who) {
  await page.goto(pageUrl);
  await page.locator("#username").fill(who.user);
  await page.locator("#password").fill(who.password);
  await page.locator("#kc-login").click();
  await byId(page, "llm-page-title").waitFor();
}

async function openTab(page, tab) {
  await byId(page, `llm-tab-${tab}`).click();
}

async function statValue(page, id) {
  return (await byId(page, `llm-stat-${id}-value`).innerText()).trim();
}

async function asAdmin() {
  const page = await newPage();

  step = "log in and open LLM Gateway from the navigation";
  const apiRequests = [];
  page.on("request", (request) => {
    if (/\/admin\/realms\/[^/]+\/llm\//.test(request.url())) {
      apiRequests.push(new URL(request.url()).pathname.replace(/^.*\/llm\//, ""));
    }
  });
  await page.goto(consoleUrl);
  await page.locator("#username").fill(admin.user);
  await page.locator("#password").fill(admin.password);
  await page.locator("#kc-login").click();
  const nav = page.locator("#nav-item-llm-gateway");
  await nav.waitFor();
  await nav.click();
  await byId(page, "llm-page-title").waitFor();
  const title = (await byId(page, "llm-page-title").innerText()).trim();
  if (title !== "LLM Provider Management") {
    throw new Error(`page title "${title}"`);
  }
  await byId(page, "llm-stat-calls-value").waitFor();
  result.callsCard = await statValue(page, "calls");
  result.providersCard = await statValue(page, "providers");
  if (Number(result.callsCard.replace(/[^0-9]/g, "")) < expectCalls) {
    throw new Error(`the API calls card shows ${result.callsCard}, expected at least ${expectCalls}`);
  }
  log(`cards: ${result.providersCard} providers, ${result.callsCard} calls`);
  await page.locator('[data-testid^="llm-provider-card-"]').first().waitFor();
  result.pageLoadRequests = [...apiRequests];
  log(`the page's own API requests on opening it: ${apiRequests.length} (${apiRequests.join(", ")})`);
  await shot(page, "admin-01-providers.png");

  step = "add a provider with a successful connection test";
  await byId(page, "llm-add-provider").click();
  const modal = byId(page, "llm-provider-modal");
  await modal.waitFor();
  await chooseType(page, modal, "openai");
  await byId(page, "llm-provider-name").fill(NEW_PROVIDER);
  await byId(page, "llm-provider-key").fill(apiKey);
  if ((await byId(page, "llm-provider-key").getAttribute("type")) !== "password") {
    throw new Error("the key field does not start hidden");
  }
  await byId(page, "llm-provider-base-url").fill(vendorUrl);
  await byId(page, "llm-provider-test-connection").click();
  const tested = byId(page, "llm-provider-test-connection-result");
  await tested.waitFor();
  if ((await tested.getAttribute("data-success")) !== "true") {
    throw new Error(`the connection test failed: ${(await tested.innerText()).trim()}`);
  }
  result.connectionTest = (await tested.innerText()).trim();
  log(`connection test: ${result.connectionTest}`);
  await shot(page, "admin-02-add-provider.png");
  await byId(page, "llm-provider-save").click();
  // The dialog may go on to the new provider's models; close it once the provider exists.
  const card = page.locator(`[data-testid^="llm-provider-card-"][data-provider-name="${NEW_PROVIDER}"]`);
  await card.waitFor();
  if (await modal.isVisible()) {
    await byId(page, "llm-provider-cancel").click();
    await modal.waitFor({ state: "detached" });
  }
  await card.locator('[data-testid="llm-provider-test"]').click();
  const cardTest = card.locator('[data-testid="llm-provider-test-result"]');
  await cardTest.waitFor();
  if ((await cardTest.getAttribute("data-success")) !== "true") {
    throw new Error(`the card's test failed: ${(await cardTest.innerText()).trim()}`);
  }
  log(`provider added and tested from its card: ${(await cardTest.innerText()).trim()}`);

  step = "set a provider's rate limits";
  const limited = page.locator(`[data-testid^="llm-provider-card-"][data-provider-name="${limitProvider}"]`);
  await limited.locator('[data-testid="llm-provider-configure"]').click();
  await modal.waitFor();
  await byId(page, "llm-provider-limits").scrollIntoViewIfNeeded();
  await byId(page, "llm-provider-requests_per_minute").fill("500");
  await byId(page, "llm-provider-concurrent_streams").fill("8");
  await expectSuccess(page, "provider limits", () => byId(page, "llm-provider-save").click());
  await modal.waitFor({ state: "detached" });
  const providerLimits = limited.locator('[data-testid="llm-provider-limits"]');
  await providerLimits.filter({ hasText: "500 requests/min · 8 streams" }).waitFor();
  result.providerLimits = (await providerLimits.innerText()).trim();
  log(`${limitProvider}'s card: ${result.providerLimits}`);

  step = "move a provider to the top of the fallback chain";
  await openTab(page, "routing");
  await byId(page, "llm-chain").waitFor();
  const row = page.locator(`[data-testid^="llm-chain-row-"]`, { hasText: moveProvider });
  for (let i = 0; i < 10 && (await row.getAttribute("data-position")) !== "1"; i++) {
    await expectSuccess(page, "move up", () => row.locator('[data-testid="llm-chain-move-up"]').click());
  }
  if ((await row.getAttribute("data-position")) !== "1") {
    throw new Error(`${moveProvider} did not reach the top of the chain`);
  }
  log(`${moveProvider} is first in the fallback chain`);

  step = "switch the routing strategy";
  await expectSuccess(page, "strategy", () => byId(page, `llm-strategy-${strategy}`).click());
  if ((await byId(page, `llm-strategy-${strategy}`).getAttribute("data-selected")) !== "true") {
    throw new Error(`the ${strategy} strategy is not shown as selected`);
  }

  step = "add a model alias";
  await byId(page, "llm-alias-add").click();
  await byId(page, "llm-alias-name").fill(alias);
  await byId(page, "llm-alias-models").fill(aliasModel);
  await expectSuccess(page, "alias", () => byId(page, "llm-alias-save").click());
  await byId(page, `llm-alias-row-${alias}`).waitFor();
  await shot(page, "admin-03-routing.png");

  step = "edit a power level and its rate limits";
  await openTab(page, "power-levels");
  const level = byId(page, `llm-level-card-${levelId}`);
  await level.locator('[data-testid="llm-level-edit"]').click();
  await byId(page, "llm-level-form").waitFor();
  await byId(page, "llm-level-budget").fill(levelBudget);
  await byId(page, "llm-level-requests_per_minute").fill("-1");
  await clearAlerts(page);
  await byId(page, "llm-level-save").click();
  const rpmError = byId(page, "llm-level-requests_per_minute-error");
  await rpmError.waitFor();
  result.levelLimitError = (await rpmError.innerText()).trim();
  if (!result.levelLimitError.includes("requests_per_minute") || !/whole number/.test(result.levelLimitError)) {
    throw new Error(`under the requests field after -1: "${result.levelLimitError}", not the server's refusal`);
  }
  log(`-1 requests/min: "${result.levelLimitError}" under the field`);
  await byId(page, "llm-level-requests_per_minute").fill(levelRpm);
  await expectSuccess(page, "power level", () => byId(page, "llm-level-save").click());
  const levelLimits = level.locator('[data-testid="llm-level-info-limits"]');
  await levelLimits.filter({ hasText: `${levelRpm} requests/min` }).waitFor();
  result.levelLimits = (await levelLimits.innerText()).trim();
  log(`the level's card: ${result.levelLimits}`);

  step = "set, change and clear a client's rate-limit override";
  await byId(page, "llm-overrides").scrollIntoViewIfNeeded();
  await byId(page, "llm-override-add-client").click();
  await byId(page, "llm-override-who").fill("no-such-client");
  await byId(page, "llm-override-requests_per_minute").fill("30");
  await byId(page, "llm-override-save").click();
  await byId(page, "llm-override-who-error").waitFor();
  await byId(page, "llm-override-who").fill(overrideClient);
  await expectSuccess(page, "client override", () => byId(page, "llm-override-save").click());
  const clientRow = byId(page, `llm-override-client-${overrideClient}`);
  const clientLimits = clientRow.locator('[data-testid="llm-override-limits"]');
  await clientLimits.filter({ hasText: "30 requests/min" }).waitFor();
  await clientRow.locator('[data-testid="llm-override-edit"]').click();
  await byId(page, "llm-override-tokens_per_minute").fill("100000");
  await expectSuccess(page, "client override changed", () => byId(page, "llm-override-save").click());
  await clientLimits.filter({ hasText: "30 requests/min · 100K tokens/min" }).waitFor();
  result.clientOverride = (await clientLimits.innerText()).trim();
  await expectSuccess(page, "client override cleared", () =>
    clientRow.locator('[data-testid="llm-override-clear"]').click(),
  );
  await clientRow.waitFor({ state: "detached" });
  log(`${overrideClient}: ${result.clientOverride}, then cleared`);

  step = "set a user's rate-limit override";
  await byId(page, "llm-override-add-user").click();
  await byId(page, "llm-override-who").fill(overrideUser);
  await byId(page, "llm-override-concurrent_streams").fill("2");
  await expectSuccess(page, "user override", () => byId(page, "llm-override-save").click());
  const userLimits = byId(page, `llm-override-user-${overrideUser}`).locator('[data-testid="llm-override-limits"]');
  await userLimits.filter({ hasText: "2 streams" }).waitFor();
  result.userOverride = (await userLimits.innerText()).trim();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "admin-04-power-levels.png");

  step = "who may call the gateway";
  const accessState = () => byId(page, "llm-access-state").innerText();
  await byId(page, "llm-access").scrollIntoViewIfNeeded();
  await byId(page, "llm-access-role").fill("no-such-role");
  await clearAlerts(page);
  await byId(page, "llm-access-save").click();
  await byId(page, "llm-access-role-error").waitFor();
  if (!(await byId(page, "llm-access-role-error").innerText()).includes("no-such-role")) {
    throw new Error("the error under the role field does not name the missing role");
  }
  await expectSuccess(page, "require a role", async () => {
    await byId(page, "llm-access-role").fill("offline_access");
    await byId(page, "llm-access-save").click();
  });
  if ((await accessState()).trim() !== "Restricted") {
    throw new Error(`the gateway is shown as "${await accessState()}" after requiring a role`);
  }
  await expectSuccess(page, "open the gateway again", async () => {
    await byId(page, "llm-access-role").fill("");
    await byId(page, "llm-access-save").click();
  });
  if ((await accessState()).trim() !== "Any signed-in caller") {
    throw new Error(`the gateway is shown as "${await accessState()}" after removing the role`);
  }

  step = "BYOK";
  await openTab(page, "byok");
  await byId(page, "llm-byok-settings").waitFor();
  await shot(page, "admin-05-byok.png");

  step = "read the charts";
  await openTab(page, "analytics");
  await byId(page, "llm-analytics-total-calls").waitFor();
  result.analyticsCalls = (await byId(page, "llm-analytics-total-calls").innerText()).trim();
  if (Number(result.analyticsCalls.replace(/[^0-9]/g, "")) < expectCalls) {
    throw new Error(`the analytics show ${result.analyticsCalls} calls, expected at least ${expectCalls}`);
  }
  for (const chart of ["llm-analytics-calls-chart", "llm-analytics-cost-chart", "llm-analytics-models-chart"]) {
    await byId(page, chart).waitFor({ state: "visible" });
  }
  log(`analytics: ${result.analyticsCalls} calls, charts shown`);
  await shot(page, "admin-06-analytics.png");

  step = "export the CSV";
  const [download] = await Promise.all([page.waitForEvent("download"), byId(page, "llm-analytics-export").click()]);
  const csvPath = join(screenshotDir, "admin-export.csv");
  await download.saveAs(csvPath);
  const lines = readFileSync(csvPath, "utf8").trim().split(/\r?\n/);
  result.csvHeader = lines[0];
  result.csvRows = lines.length - 1;
  if (!lines[0].startsWith("time,") || result.csvRows < expectCalls) {
    throw new Error(`the CSV has header "${lines[0]}" and ${result.csvRows} rows`);
  }
  log(`CSV ${download.suggestedFilename()}: ${result.csvRows} rows`);

  step = "delete the provider";
  await openTab(page, "providers");
  await card.locator('[data-testid="llm-provider-delete"]').click();
  await expectSuccess(page, "delete", () => byId(page, "llm-provider-delete-confirm").click());
  await card.waitFor({ state: "detached" });
  await page.context().close();
}

/** Picks a provider type in the dialog's type control, whether it is a native select or a PatternFly menu. */
async function chooseType(page, modal, type) {
  const control = byId(page, "llm-provider-type");
  if ((await control.evaluate((e) => e.tagName)) === "SELECT") {
    await control.selectOption(type);
    return;
  }
  await control.click();
  await page.locator(`[data-testid="llm-provider-type-${type}"]`).click();
}

async function looks() {
  step = "screenshots: dark and narrow";
  for (const [scheme, width, name] of [
    ["dark", 1400, "admin-07-dark.png"],
    ["light", 700, "admin-08-narrow.png"],
  ]) {
    const page = await newPage(scheme, width);
    await logIn(page, admin);
    await page.locator('[data-testid^="llm-provider-card-"]').first().waitFor();
    if (
      scheme === "dark" &&
      !(await page.evaluate(() => document.documentElement.classList.contains("pf-v5-theme-dark")))
    ) {
      throw new Error("the console did not switch to its dark theme");
    }
    await shot(page, name);
    await page.context().close();
  }
}

async function asViewer() {
  step = "an admin who may only view the realm";
  const page = await newPage();
  await logIn(page, viewer);
  await page.locator('[data-testid^="llm-provider-card-"]').first().waitFor();
  const tabs = ["providers", "routing", "power-levels", "byok", "analytics"];
  const editControls = [
    "llm-add-provider",
    "llm-provider-configure",
    "llm-provider-test",
    "llm-provider-delete",
    "llm-chain-move-up",
    "llm-chain-move-down",
    "llm-alias-add",
    "llm-alias-edit",
    "llm-alias-delete",
    "llm-level-add",
    "llm-level-edit",
    "llm-level-delete",
    "llm-byok-save",
    "llm-access-save",
    "llm-override-add-client",
    "llm-override-add-user",
    "llm-override-edit",
    "llm-override-clear",
  ];
  const seen = [];
  for (const tab of tabs) {
    await openTab(page, tab);
    await page.waitForTimeout(1500);
    for (const id of editControls) {
      if (await byId(page, id).count()) {
        seen.push(`${id} on ${tab}`);
      }
    }
  }
  if (seen.length) {
    throw new Error(`a view-only admin sees edit controls: ${seen.join(", ")}`);
  }
  // The overrides: no controls (above), and without view-users the users are counted, not named.
  await openTab(page, "power-levels");
  const hidden = byId(page, "llm-override-users-hidden");
  await hidden.waitFor();
  if (
    !(await hidden.innerText()).startsWith("1 user ") ||
    (await byId(page, `llm-override-user-${overrideUser}`).count())
  ) {
    throw new Error(`a view-only admin sees "${await hidden.innerText()}" about the users with overrides`);
  }
  // Without view-users: no list that names users.
  for (const [tab, id] of [
    ["byok", "llm-byok-view"],
    ["analytics", "llm-analytics-top-users"],
  ]) {
    await openTab(page, tab);
    await page.waitForTimeout(1500);
    if (await byId(page, id).count()) {
      throw new Error(`an admin without view-users sees ${id}`);
    }
  }
  await shot(page, "admin-09-view-only.png");
  log("the view-only admin sees no edit control");
  await page.context().close();
}

async function main() {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  await asAdmin();
  await looks();
  await asViewer();
  if (problems.length) {
    throw new Error(`the page reported errors:\n  ${problems.join("\n  ")}`);
  }
  writeFileSync(join(screenshotDir, "admin-result.json"), JSON.stringify(result, null, 2));
  console.log(`e2e: RESULT ${JSON.stringify(result)}`);
}

main()
  .then(async () => {
    clearTimeout(deadline);
    await browser?.close();
    log("PASSED");
    process.exit(0);
  })
  .catch(async (error) => {
    clearTimeout(deadline);
    console.error(`e2e: FAILED during step "${step}": ${error.message}`);
    if (problems.length) {
      console.error(`e2e: the page also reported:\n  ${problems.join("\n  ")}`);
    }
    await browser?.close();
    process.exit(1);
  });
