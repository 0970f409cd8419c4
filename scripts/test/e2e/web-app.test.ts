import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from "vitest";
import { type Browser, launchChromium, type Page, watchProblems } from "./support/browser.ts";
import { DIST_WEB, ROOT, startWebStack, type WebStack } from "./support/web-stack.ts";

const SHOTS = path.join(ROOT, "frontend/test-results/screenshots");
const WIDTHS = [375, 1440] as const;

let stack: WebStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startWebStack(), launchChromium()]);
  await mkdir(SHOTS, { recursive: true });
  console.log(`[e2e] stack up: ${JSON.stringify(stack.timings)} ms`);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Full-page screenshots of the current screen at phone and desktop widths. */
async function shoot(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

interface ErrorAnswer {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** Runs `action` and returns the API's answer to the request it makes to a path matching `path`. */
async function answerTo(page: Page, path: RegExp, action: () => Promise<unknown>) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => path.test(new URL(r.url()).pathname) && r.request().method() !== "OPTIONS"),
    action(),
  ]);
  return { status: response.status(), body: (await response.json()) as ErrorAnswer };
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // What the browser showed when a step failed is the fastest way to see why.
  onTestFailed(async () => {
    if (!page.isClosed())
      await page.screenshot({ path: path.join(SHOTS, `failure-${Date.now()}.png`), fullPage: true });
  });
  return { context, page, watch: watchProblems(page) };
}

describe("web app on the Pages emulator against the real API", () => {
  test("the build ships _headers and _redirects generated from VITE_API_URL", async () => {
    const headers = await readFile(path.join(DIST_WEB, "_headers"), "utf8");
    expect(headers).toContain(`connect-src 'self' ${stack.apiUrl}`);
    expect(await readFile(path.join(DIST_WEB, "_redirects"), "utf8")).toBe("/* /index.html 200\n");
    // Pages serves index.html for unknown paths only while the build has no top-level 404.html.
    expect(existsSync(path.join(DIST_WEB, "404.html"))).toBe(false);
  });

  test("a coach signs up, manages a client, and a client accepts the invite", async () => {
    const coach = await newPage();
    const { page } = coach;
    const email = `coach-${Date.now()}@e2e.test`;

    await page.goto(`${stack.webUrl}/`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shoot(page, "sign-in");

    // A refused sign-in (better-auth, outside AppType) shows the API's own message.
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not-registered-yet");
    coach.watch.expect(/status of 401/);
    const refused = await answerTo(page, /\/api\/auth\/sign-in\/email$/, () =>
      page.getByRole("button", { name: "Sign in" }).click(),
    );
    expect(refused.status).toBe(401);
    expect(await page.getByRole("alert").textContent()).toBe(refused.body.error.message);

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Your name").fill("Casey Coach");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("correct-horse-battery");
    await shoot(page, "sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByTestId("user-name").textContent()).toBe("Casey Coach");
    await page.getByRole("heading", { name: "Today" }).waitFor();
    await shoot(page, "dashboard");

    // Clients: empty state, then create.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" }).click();
    await page.getByText("No clients yet").waitFor();
    await shoot(page, "clients-empty");
    await page.getByRole("button", { name: "New client" }).click();
    await page.getByLabel("Name").fill("Robin Client");
    // A 400 from the typed client: the contract's message on top, its field detail under the field.
    await page.getByLabel("Email (optional)").fill("not-an-email");
    coach.watch.expect(/status of 400/);
    const invalid = await answerTo(page, /\/api\/v1\/clients$/, () =>
      page.getByRole("button", { name: "Create client" }).click(),
    );
    expect(invalid.status).toBe(400);
    const emailIssue = invalid.body.error.details?.find((d) => d.path === "email");
    expect(emailIssue?.message).toBeTruthy();
    expect(await page.getByRole("alert").textContent()).toBe(invalid.body.error.message);
    expect(await page.getByLabel("Email (optional)").getAttribute("aria-invalid")).toBe("true");
    await page.getByText(emailIssue?.message ?? "", { exact: true }).waitFor();
    await page.getByLabel("Email (optional)").fill("robin@e2e.test");
    await page.getByRole("button", { name: "Create client" }).click();
    await page.getByRole("heading", { name: "Robin Client" }).waitFor();
    const clientPath = new URL(page.url()).pathname;
    expect(clientPath).toMatch(/^\/clients\/[0-9a-f-]{36}$/);

    // Appointment, then a conflicting one: the API's 409 is shown inline.
    const start = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
    start.setHours(10, 0, 0, 0);
    const local = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}T${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    await page.getByRole("button", { name: "Schedule a session" }).click();
    await page.getByLabel("Starts at").fill(local(start));
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    await page.getByTestId("appointment").first().waitFor();
    coach.watch.expect(/status of 409/);
    await page.getByRole("button", { name: "Schedule a session" }).click();
    await page.getByLabel("Starts at").fill(local(new Date(start.getTime() + 30 * 60 * 1000)));
    const conflict = await answerTo(page, /\/api\/v1\/appointments$/, () =>
      page.getByRole("button", { name: "Schedule", exact: true }).click(),
    );
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("appointment_conflict");
    expect(await page.getByTestId("appointment-conflict").textContent()).toBe(
      `${conflict.body.error.message} Pick another time.`,
    );
    await shoot(page, "appointment-conflict");
    await page.getByRole("button", { name: "Cancel", exact: true }).click();

    // Reschedule it two hours later: the row shows the new time.
    const formatted = (d: Date) =>
      page.evaluate(
        (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
        d.toISOString(),
      );
    const moved = new Date(start.getTime() + 2 * 60 * 60 * 1000);
    await page.getByRole("button", { name: /^Reschedule/ }).click();
    await page.getByLabel("Starts at").fill(local(moved));
    await shoot(page, "appointment-reschedule");
    await page.getByRole("button", { name: "Save new time" }).click();
    await page
      .getByTestId("appointment")
      .filter({ hasText: await formatted(moved) })
      .waitFor();
    expect(
      await page
        .getByTestId("appointment")
        .filter({ hasText: await formatted(start) })
        .count(),
    ).toBe(0);

    // A session that already took place (yesterday) is marked completed; the future one cannot be.
    const past = new Date(start.getTime() - 3 * 24 * 60 * 60 * 1000);
    await page.getByRole("button", { name: "Schedule a session" }).click();
    await page.getByLabel("Starts at").fill(local(past));
    await page.getByRole("button", { name: "Schedule", exact: true }).click();
    const pastRow = page.getByTestId("appointment").filter({ hasText: await formatted(past) });
    await pastRow.getByRole("button", { name: /completed$/ }).click();
    await pastRow.getByText("completed", { exact: true }).waitFor();
    await pastRow.getByRole("button", { name: /^Undo/ }).waitFor();
    const futureRow = page.getByTestId("appointment").filter({ hasText: await formatted(moved) });
    expect(await futureRow.getByRole("button", { name: /completed$|no-show$/ }).count()).toBe(0);

    // Notes. First the API cannot be reached: the tab says so (after the query's retries), and
    // "Try again" loads the notes once it can.
    const notesPath = /\/api\/v1\/clients\/[^/]+\/notes$/;
    const offline = (url: URL) => notesPath.test(url.pathname);
    await page.route(offline, (route) => route.abort("internetdisconnected"));
    coach.watch.expect(/ERR_INTERNET_DISCONNECTED/);
    await page.getByRole("tab", { name: "Notes" }).click();
    await page.getByText("Could not reach the server. Check your connection and try again.").waitFor();
    await page.unroute(offline);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByText("No notes yet").waitFor();

    // One private note, one shared.
    await page.getByLabel("New note").fill("Private: worried about sleep");
    await page.getByRole("button", { name: "Add note" }).click();
    await page.getByTestId("note").filter({ hasText: "Private: worried about sleep" }).waitFor();
    await page.getByLabel("New note").fill("Shared: walk 20 minutes daily");
    await page.getByLabel("Shared with the client").check();
    await page.getByRole("button", { name: "Add note" }).click();
    await page.getByTestId("note").filter({ hasText: "Shared: walk 20 minutes daily" }).waitFor();
    await shoot(page, "client-notes");

    // Edit the private note's text in place; delete a third note only after confirming.
    await page.getByRole("button", { name: "Edit note: Private: worried about sleep" }).click();
    const editForm = page.getByRole("form", { name: "Edit note: Private: worried about sleep" });
    await editForm.getByLabel("Note text").fill("Private: sleep is improving");
    await shoot(page, "client-note-edit");
    await editForm.getByRole("button", { name: "Save note" }).click();
    await page
      .getByTestId("note")
      .filter({ hasText: "Private: sleep is improving" })
      .getByText(/edited/)
      .waitFor();
    await page.getByLabel("New note").fill("Draft to throw away");
    await page.getByRole("button", { name: "Add note" }).click();
    await page.getByRole("button", { name: "Delete note: Draft to throw away" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this note?" });
    await dialog.waitFor();
    await shoot(page, "note-delete-confirm");
    await dialog.getByRole("button", { name: "Delete note" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByText("Draft to throw away").waitFor({ state: "detached" });
    expect(await page.getByTestId("note").count()).toBe(2);

    // Goals with a check-in and the progress chart.
    await page.getByRole("tab", { name: "Goals" }).click();
    await page.getByLabel("New goal").fill("Run 5 km");
    await page.getByRole("button", { name: "Add goal" }).click();
    await page.getByRole("heading", { name: "Run 5 km" }).waitFor();
    await page.getByLabel("Progress (%)").fill("40");
    await page.getByRole("button", { name: "Record check-in" }).click();
    await page.getByRole("img", { name: /latest 40%/ }).waitFor();
    await page.getByRole("button", { name: "Edit goal Run 5 km" }).click();
    await page.getByLabel("Goal title").fill("Run 5 km without stopping");
    await page.getByLabel("Target date (optional)").last().fill("2027-03-31");
    await shoot(page, "client-goal-edit");
    await page.getByRole("button", { name: "Save goal" }).click();
    await page.getByRole("heading", { name: "Run 5 km without stopping" }).waitFor();
    await page.getByText(/^Target .*2027/).waitFor();
    await shoot(page, "client-goals");

    // Files: upload straight to the presigned URL with a progress bar, then download it back.
    await page.getByRole("tab", { name: "Files" }).click();
    await page.getByText("No files yet").waitFor();
    const bytes = Buffer.alloc(8 * 1024 * 1024, "coaching ");
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles({ name: "session-plan.txt", mimeType: "text/plain", buffer: bytes });
    await page.getByLabel("Shared with the client").check();
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByRole("progressbar", { name: "Upload progress" }).waitFor();
    await page.getByTestId("asset").filter({ hasText: "session-plan.txt" }).waitFor();
    await shoot(page, "client-files");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("asset").getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("session-plan.txt");
    const saved = await download.path();
    expect((await readFile(saved)).equals(bytes)).toBe(true);

    // Deep link reload renders the page (Pages' SPA fallback), with the _headers set on the response.
    await page.getByRole("tab", { name: "Appointments" }).click();
    const response = await page.goto(`${stack.webUrl}${clientPath}`);
    await page.getByRole("heading", { name: "Robin Client" }).waitFor();
    await shoot(page, "client-appointments");
    const headers = response?.headers() ?? {};
    expect(response?.status()).toBe(200);
    expect(headers["content-security-policy"]).toContain("default-src 'self'");
    expect(headers["content-security-policy"]).toContain(`connect-src 'self' ${stack.apiUrl}`);
    expect(headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["permissions-policy"]).toBe("camera=(), microphone=(), geolocation=()");
    expect(headers["strict-transport-security"]).toContain("max-age=");
    const asset = await page.evaluate(() => document.querySelector<HTMLScriptElement>("script[src^='/assets/']")?.src);
    const assetResponse = await fetch(asset ?? "");
    expect(assetResponse.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(assetResponse.headers.get("content-type")).toContain("javascript");
    const index = await fetch(`${stack.webUrl}/`);
    expect(index.headers.get("cache-control")).toBe("no-cache");

    // A deep link to a client that does not exist shows the API's 404 message.
    coach.watch.expect(/status of 404/);
    const missing = await answerTo(page, /\/api\/v1\/clients\/[^/]+$/, () =>
      page.goto(`${stack.webUrl}/clients/00000000-0000-4000-8000-000000000000`),
    );
    expect(missing.status).toBe(404);
    await page.getByRole("alert").getByText(missing.body.error.message, { exact: true }).waitFor();
    await page.goto(`${stack.webUrl}${clientPath}`);
    await page.getByRole("heading", { name: "Robin Client" }).waitFor();

    // Invite link, accepted by a second person in a separate browser context.
    await page.getByRole("button", { name: "Create invite link" }).click();
    const inviteUrl = (await page.getByTestId("invite-url").textContent()) ?? "";
    expect(inviteUrl).toMatch(new RegExp(`^${stack.webUrl}/invite/`));
    await shoot(page, "client-invite");

    const invitee = await newPage();
    await invitee.page.goto(inviteUrl);
    await invitee.page.getByRole("heading", { name: "You're invited" }).waitFor();
    await shoot(invitee.page, "invite-signed-out");
    await invitee.page.getByRole("link", { name: "Create an account" }).click();
    await invitee.page.getByLabel("Your name").fill("Robin Client");
    await invitee.page.getByLabel("Email").fill(`client-${Date.now()}@e2e.test`);
    await invitee.page.getByLabel("Password").fill("another-long-password");
    await invitee.page.getByRole("button", { name: "Create account" }).click();
    await invitee.page.getByRole("button", { name: "Accept invitation" }).click();
    await invitee.page.getByText("Coached by Casey Coach").waitFor();
    await invitee.page.getByRole("tab", { name: "Notes" }).click();
    await invitee.page.getByTestId("note").filter({ hasText: "Shared: walk 20 minutes daily" }).waitFor();
    expect(await invitee.page.getByText("Private: sleep is improving").count()).toBe(0);
    await shoot(invitee.page, "client-user-notes");
    await invitee.page.getByRole("tab", { name: "Files" }).click();
    await invitee.page.getByTestId("asset").filter({ hasText: "session-plan.txt" }).waitFor();
    // The coach's file can be downloaded by the client user but only its uploader or the coach may delete it.
    expect(await invitee.page.getByRole("button", { name: "Delete session-plan.txt" }).count()).toBe(0);
    await invitee.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My coaching" }).click();
    await invitee.page.getByRole("link", { name: "Casey Coach" }).waitFor();
    // The client user checks in on their goal from their own view.
    const myGoal = invitee.page.getByRole("article", { name: "Run 5 km without stopping" });
    await myGoal.getByLabel("Progress (%)").fill("65");
    await myGoal.getByLabel("Comment (optional)").fill("Ran 3 km today");
    await myGoal.getByRole("button", { name: "Record check-in" }).click();
    await myGoal.getByRole("img", { name: /latest 65%/ }).waitFor();
    await myGoal.getByText(/Ran 3 km today/).waitFor();
    await shoot(invitee.page, "my-coaching");
    // A link with a token the API does not know (404) is explained, not shown as a bare error.
    invitee.watch.expect(/status of 404/);
    await invitee.page.goto(`${stack.webUrl}/invite/${"0".repeat(32)}`);
    await invitee.page.getByRole("button", { name: "Accept invitation" }).click();
    await invitee.page.getByText("This invite link is not valid. Check that you copied all of it.").waitFor();
    expect(invitee.watch.problems).toEqual([]);
    await invitee.context.close();

    // The coach sees the client's check-in, and deleting a file asks first.
    await page.getByRole("tab", { name: "Goals" }).click();
    await page.getByRole("img", { name: /latest 65%/ }).waitFor();
    await page.getByRole("tab", { name: "Files" }).click();
    await page.getByRole("button", { name: "Delete session-plan.txt" }).click();
    const fileDialog = page.getByRole("dialog", { name: "Delete session-plan.txt?" });
    await fileDialog.waitFor();
    await shoot(page, "file-delete-confirm");
    await fileDialog.getByRole("button", { name: "Cancel" }).click();
    await fileDialog.waitFor({ state: "hidden" });
    await page.getByTestId("asset").filter({ hasText: "session-plan.txt" }).waitFor();
    await page.getByRole("button", { name: "Delete session-plan.txt" }).click();
    await fileDialog.getByRole("button", { name: "Delete file" }).click();
    await page.getByText("No files yet").waitFor();

    // Sign out returns to the sign-in screen and the session is gone.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.goto(`${stack.webUrl}${clientPath}`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(coach.watch.problems).toEqual([]);
    await coach.context.close();
  });

  test("an admin pages through the user list", async () => {
    const admin = await newPage();
    const { page } = admin;
    await page.goto(`${stack.webUrl}/admin/users`);
    await page.getByLabel("Email").fill(stack.admin.email);
    await page.getByLabel("Password").fill(stack.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByRole("cell", { name: stack.admin.email }).waitFor();
    await shoot(page, "admin-users");
    expect(admin.watch.problems).toEqual([]);
    await admin.context.close();
  });
});
