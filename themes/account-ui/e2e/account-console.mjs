#!/usr/bin/env node
// Drives the llm-gateway account console in headless Chromium against a running Keycloak:
// logs in, adds a key on "LLM API keys", tests it, deletes it, then opens "My LLM usage".
//
// Environment:
//   KC_URL            server root, e.g. http://localhost:8080 (required)
//   KC_REALM          realm whose accountTheme is llm-gateway (required)
//   KC_USER, KC_PASSWORD   a user of that realm (required)
//   KC_KEY            the API key to add; the realm's provider of that type must accept it (required)
//   KC_PROVIDER_TYPE  the provider type card to use (default: the first card the organisation offers)
//   SCREENSHOT_DIR    where 01-keys.png … 05-usage.png go (default: e2e-screenshots)
//   CHROMIUM_PATH     the browser (default: /usr/bin/chromium); playwright-core never downloads one
// Exits 0 when every step passed, 1 with the failed step on stderr otherwise; gives up after 90 s.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

import { chromium } from "playwright-core";

const DEADLINE_MS = 90_000;
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
const user = required("KC_USER");
const password = required("KC_PASSWORD");
const apiKey = required("KC_KEY");
const wantedType = process.env.KC_PROVIDER_TYPE || "";
const screenshotDir = resolve(process.env.SCREENSHOT_DIR || "e2e-screenshots");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

mkdirSync(screenshotDir, { recursive: true });

let step = "start";
let browser;
const problems = [];
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

async function expectText(locator, pattern, what) {
  try {
    await locator.filter({ hasText: pattern }).waitFor({ state: "visible" });
  } catch {
    const actual =
      (await locator
        .first()
        .textContent()
        .catch(() => null)) ?? "(not found)";
    throw new Error(`${what}: expected ${pattern}, found "${actual.trim()}"`);
  }
}

/** A PatternFly alert's title and description, without the screen-reader prefix ("Success alert:"). */
async function alertText(alert) {
  const parts = [];
  for (const selector of [".pf-v5-c-alert__title", ".pf-v5-c-alert__description"]) {
    const part = alert.locator(selector);
    if (await part.count()) {
      parts.push((await part.innerText()).replace(/^\w+ alert:\s*/, "").trim());
    }
  }
  return parts.filter(Boolean).join(": ");
}

async function main() {
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "en-US" });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on("pageerror", (error) => problems.push(`uncaught error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()}`);
    }
  });

  step = "log in";
  await page.goto(`${kcUrl}/realms/${encodeURIComponent(realm)}/account`);
  await page.locator("#username").fill(user);
  await page.locator("#password").fill(password);
  await page.locator("#kc-login").click();
  const keysNav = page.locator('[data-testid="llm-api-keys"]');
  await keysNav.waitFor();
  log("logged in; the menu has LLM API keys");

  step = "check the menu";
  // Ours and two stock entries that no feature flag hides: Personal info (path "") and Account security.
  for (const testId of ["llm-usage", "", "accountSecurity"]) {
    if ((await page.locator(`[data-testid="${testId}"]`).count()) === 0) {
      throw new Error(`the menu has no entry "${testId}"`);
    }
  }

  step = "open LLM API keys";
  await keysNav.click();
  await page
    .locator('[data-testid^="llm-key-card-"], [data-testid="llm-keys-empty"], [data-testid="llm-keys-error"]')
    .first()
    .waitFor();
  if (await page.locator('[data-testid="llm-keys-error"]').count()) {
    throw new Error(`the keys did not load: ${await page.locator('[data-testid="llm-keys-error"]').textContent()}`);
  }
  if (await page.locator('[data-testid="llm-keys-empty"]').count()) {
    throw new Error("the realm offers no provider type for own keys (empty state shown)");
  }
  const card = wantedType
    ? page.locator(`[data-testid="llm-key-card-${wantedType}"]`)
    : page.locator('[data-testid^="llm-key-card-"][data-offered="true"]').first();
  if ((await card.count()) === 0) {
    throw new Error(wantedType ? `no card for provider type "${wantedType}"` : "no provider type is offered");
  }
  const type = await card.getAttribute("data-provider-type");
  log(`using the "${type}" card`);
  await shot(page, "01-keys.png");

  step = "add the key";
  await card.locator('[data-testid="llm-key-add"]').click();
  const input = card.locator('[data-testid="llm-key-input"]');
  await input.fill(apiKey);
  if ((await input.getAttribute("type")) !== "password") {
    throw new Error("the key input does not start hidden");
  }
  await card.locator('[data-testid="llm-key-visibility"]').click();
  if ((await input.getAttribute("type")) !== "text") {
    throw new Error("the show/hide button does not reveal the key");
  }
  await card.locator('[data-testid="llm-key-visibility"]').click();
  await card.locator('[data-testid="llm-key-save"]').click();
  // Once the key is stored the form closes and the card's buttons come back; a refusal keeps the form open.
  const refusal = card.locator('[data-testid="llm-key-field-error"], [data-testid="llm-key-form"] .pf-v5-c-alert');
  await card.locator('[data-testid="llm-key-test"]').or(refusal).first().waitFor();
  if (await refusal.count()) {
    throw new Error(`the key was refused: ${(await refusal.first().innerText()).trim()}`);
  }
  const status = card.locator('[data-testid="llm-key-status"]');
  await expectText(status, /key set/i, "status after saving");
  const hint = (await card.locator('[data-testid="llm-key-hint"]').textContent())?.trim();
  if (!hint || !apiKey.endsWith(hint.replace(/^…/, ""))) {
    throw new Error(`the card shows hint "${hint}", which is not the end of the key`);
  }
  log(`key saved, hint ${hint}`);
  await shot(page, "02-key-added.png");

  step = "test the key";
  await card.locator('[data-testid="llm-key-test"]').click();
  const result = card.locator('[data-testid="llm-key-test-result"]');
  await result.waitFor();
  const resultText = await alertText(result);
  if ((await result.getAttribute("data-success")) !== "true") {
    throw new Error(`the test failed: ${resultText}`);
  }
  log(`test: ${resultText}`);
  await shot(page, "03-key-tested.png");

  step = "delete the key";
  await card.locator('[data-testid="llm-key-delete"]').click();
  const confirm = page.locator('[data-testid="llm-key-delete-confirm"]');
  await confirm.click();
  await confirm.waitFor({ state: "detached" });
  await expectText(status, /not set/i, "status after deleting");
  log("key deleted; the card shows Not set");
  await shot(page, "04-key-deleted.png");

  step = "open My LLM usage";
  await page.locator('[data-testid="llm-usage"]').click();
  const level = page.locator('[data-testid="llm-power-level-name"]');
  const error = page.locator('[data-testid="llm-usage-error"]');
  await level.or(error).first().waitFor();
  if (await error.count()) {
    throw new Error(`the usage did not load: ${(await error.textContent())?.trim()}`);
  }
  const levelName = (await level.textContent())?.trim();
  if (!levelName) {
    throw new Error("the power level has no name");
  }
  await page.locator('[data-testid="llm-usage-chart"]').waitFor({ state: "visible" });
  log(`power level "${levelName}", chart shown`);
  await shot(page, "05-usage.png");

  step = "check the console";
  if (problems.length) {
    throw new Error(`the page reported problems:\n  ${problems.join("\n  ")}`);
  }
}

try {
  await main();
  log("PASSED");
  clearTimeout(deadline);
  await browser?.close();
  process.exit(0);
} catch (error) {
  console.error(`e2e: FAILED at step "${step}": ${error instanceof Error ? error.message : error}`);
  clearTimeout(deadline);
  await browser?.close().catch(() => undefined);
  process.exit(1);
}
