import { createRequire } from "node:module";
import path from "node:path";
// playwright-core is a devDependency of the web package (pnpm does not hoist it to the root), so
// both the types and the module are taken from there.
import type * as Playwright from "../../../../frontend/node_modules/playwright-core/index.js";
import { ROOT } from "./web-stack.ts";

export type { Browser, BrowserContext, Page } from "../../../../frontend/node_modules/playwright-core/index.js";

const requireFromWeb = createRequire(path.join(ROOT, "frontend/package.json"));
const { chromium } = requireFromWeb("playwright-core") as typeof Playwright;

/** Debian's Chromium, headless; never a downloaded browser. Flags keep it off the (closed) network. */
export function launchChromium(): Promise<Playwright.Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Collects every console error, uncaught exception and CSP violation of a page. `expected` lets a
 * test allow the browser's own "Failed to load resource" line for a status it provokes on purpose.
 */
export function watchProblems(page: Playwright.Page) {
  const problems: string[] = [];
  const expected: RegExp[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error" && message.type() !== "warning") return;
    const text = message.text();
    if (message.type() === "warning" && !/Content.Security.Policy|Refused to/i.test(text)) return;
    if (expected.some((re) => re.test(text))) return;
    problems.push(`console.${message.type()}: ${text} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  // CSP violations also surface as a DOM event, even when no console line is printed.
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  return { problems, expect: (re: RegExp) => expected.push(re) };
}
