import { test as base, expect } from "@playwright/test";

interface PageProblems {
  /** A response of 4xx/5xx (and its console line) that the test expects, e.g. another tenant's page answering 404. */
  expectFailureOf(url: RegExp): void;
}

/**
 * Playwright's `test`, failing any test whose pages logged a console error (a CSP violation is
 * one), threw an uncaught error, or had a request fail or answer 4xx/5xx that the test did not
 * say it expects. Every spec imports it.
 */
export const test = base.extend<{ pageProblems: PageProblems }>({
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      const expected: RegExp[] = [];
      const isExpected = (url: string) => expected.some((pattern) => pattern.test(url));
      page.on("console", (message) => {
        if (message.type() === "error" && !isExpected(message.location().url)) problems.push(`console error: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      page.on("requestfailed", (request) => {
        // A navigation or prefetch that the next one replaced is aborted, not failed.
        const failure = request.failure()?.errorText;
        if (failure !== "net::ERR_ABORTED") problems.push(`request failed: ${request.method()} ${request.url()} (${failure})`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400 && !isExpected(response.url())) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
      });
      await use({ expectFailureOf: (url) => void expected.push(url) });
      expect(problems, "what the pages reported").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
