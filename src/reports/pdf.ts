/**
 * Prints the report's HTML to PDF with Chromium (playwright-core driving the system browser).
 * The browser is started for each PDF asked for and closed after: most installs never print one,
 * and an idle Chromium would hold memory for nothing. The page gets no network: the document is
 * self-contained, and nothing in it may fetch. playwright-core itself is imported on the first
 * PDF too: loaded at start it held ~28 MiB of heap (~75 MiB resident) in every idle server.
 */
export async function printPdf(html: string, chromiumPath: string): Promise<Buffer> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
