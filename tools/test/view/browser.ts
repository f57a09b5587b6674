import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';

/** Debian's chromium package; playwright's own browser download cannot run here. */
export const CHROMIUM = process.env.TIRL_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set TIRL_CHROMIUM`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container: no user namespaces for the sandbox; /dev/shm is small.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
  });
}

/**
 * Opens the viewer and records every request that leaves the server's origin (the page must load
 * nothing from elsewhere: it works offline). Such requests are aborted.
 */
export async function openViewer(browser: Browser, url: string, width = 1280, height = 900): Promise<{ page: Page; foreign: string[] }> {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  const foreign: string[] = [];
  await page.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith(url) || target.startsWith('data:')) return route.continue();
    foreign.push(target);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  return { page, foreign };
}

export interface PngCheck {
  width: number;
  height: number;
  /** Mean standard deviation of the RGB channels: near 0 for a blank (one-colour) image. */
  stdev: number;
  /** Distinct colours in a 64×64 thumbnail. */
  colours: number;
}

/** Decodes a screenshot and measures whether it shows something. */
export async function checkPng(png: Buffer): Promise<PngCheck> {
  const image = sharp(png);
  const meta = await image.metadata();
  const stats = await image.stats();
  const rgb = stats.channels.slice(0, 3);
  const thumb = await sharp(png).resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const colours = new Set<number>();
  for (let i = 0; i < thumb.length; i += 3) colours.add((thumb[i] << 16) | (thumb[i + 1] << 8) | thumb[i + 2]);
  return { width: meta.width!, height: meta.height!, stdev: rgb.reduce((a, c) => a + c.stdev, 0) / rgb.length, colours: colours.size };
}

/** Clicks a `<summary>` (opening its `<details>`) found by selector and text. */
export async function expand(page: Page, selector: string, text?: string): Promise<void> {
  const ok = await page.evaluate(
    ([sel, t]) => {
      const doc = (globalThis as unknown as { document: DomLike }).document;
      const d = [...doc.querySelectorAll(sel)].find((x) => !t || (x.querySelector('summary')?.textContent ?? '').includes(t));
      if (!d) return false;
      if (!d.open) d.querySelector('summary')!.click();
      return d.open === true;
    },
    [selector, text ?? ''] as const,
  );
  if (!ok) throw new Error(`no <details> ${selector}${text ? ` with "${text}"` : ''} to expand`);
}

/** The little of the DOM the page functions here use (the project compiles without the DOM library). */
export interface DomLike {
  querySelectorAll(selector: string): Iterable<ElementLike> & ArrayLike<ElementLike>;
  querySelector(selector: string): ElementLike | null;
}
export interface ElementLike extends DomLike {
  open?: boolean;
  textContent: string | null;
  className: string;
  value: string;
  checked: boolean;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  style: Record<string, string>;
  click(): void;
  dispatchEvent(e: unknown): boolean;
}
