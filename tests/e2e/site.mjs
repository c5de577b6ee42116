// The site in a real browser: Debian's headless Chromium driven by playwright-core, against a
// real `paperboy serve` on an ephemeral port over the bundled sample (clock pinned, so trending
// is deterministic). A visitor signs up, logs out, logs in, searches, opens a paper, upvotes it
// (the page's script, no reload), sees it rise on /trending and comments (escaped); the pages
// are checked at a phone and a desktop width, and no page may load anything from another host.
// Prints "pass NAME" / "FAIL NAME: why"; screenshots go to $PB_E2E_ARTIFACTS (default: the
// build directory's e2e-artifacts/). Run through tests/e2e/run.sh, which installs what it needs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const PAPERBOY = process.env.PAPERBOY;
const ROOT = process.env.PB_ROOT || process.cwd();
const CHROMIUM = process.env.PB_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS =
    process.env.PB_E2E_ARTIFACTS ||
    (PAPERBOY ? path.join(path.dirname(PAPERBOY), 'e2e-artifacts') : path.join(os.tmpdir(), 'pb-e2e'));
const NOW = '2026-06-15T12:00:00Z';
const USER = 'carol';
const PASSWORD = 'a-long-enough-password';

let failed = 0;
const pass = (name) => console.log(`pass ${name}`);
const fail = (name, why) => {
    failed++;
    console.log(`FAIL ${name}: ${String(why).split('\n')[0]}`);
};
// Run one named step; a thrown error or a false result is that step's failure, and the test
// goes on (later steps may fail for the same reason, which the first FAIL line explains).
async function step(name, fn) {
    try {
        const r = await fn();
        if (r === false) fail(name, 'check did not hold');
        else pass(name);
        return r;
    } catch (e) {
        fail(name, e && e.message ? e.message : e);
        return undefined;
    }
}
function check(cond, why) {
    if (!cond) throw new Error(why);
}

if (!PAPERBOY) {
    fail('e2e-setup', 'PAPERBOY is not set (run through tests/run.sh)');
    process.exit(1);
}
// Never hang make test: the whole scenario has two minutes.
const watchdog = setTimeout(() => {
    fail('e2e-timeout', 'the browser test took more than 120 s');
    process.exit(1);
}, 120_000);

const T = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-e2e-'));
fs.rmSync(ARTIFACTS, { recursive: true, force: true });
fs.mkdirSync(ARTIFACTS, { recursive: true });
const shots = [];
async function shot(page, name, fullPage = true) {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage });
    shots.push(file);
}

// ---- the server ----
const DB = path.join(T, 'site.db');
const sample = ['12', '13', '14'].map((d) => path.join(ROOT, 'data/sample', `2026-06-${d}.jsonl.gz`));
const imp = spawnSync(PAPERBOY, ['import', '--db', DB, '--quiet', ...sample], { encoding: 'utf8' });
if (imp.status !== 0) {
    fail('e2e-import', `paperboy import exited ${imp.status}: ${imp.stderr}`);
    process.exit(1);
}
fs.writeFileSync(path.join(T, 'pb.conf'), '[server]\nthreads = 2\n');
const server = spawn(
    PAPERBOY,
    ['serve', '--db', DB, '--config', path.join(T, 'pb.conf'), '--listen', '127.0.0.1:0'],
    { env: { ...process.env, PAPERBOY_NOW: NOW }, stdio: ['ignore', 'pipe', 'pipe'] },
);
let serverErr = '';
server.stderr.on('data', (d) => (serverErr += d));
const serverExit = new Promise((resolve) => server.on('exit', (code, sig) => resolve({ code, sig })));
const BASE = await new Promise((resolve) => {
    let out = '';
    const t = setTimeout(() => resolve(null), 15_000);
    server.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/^listening on (http:\/\/\S+)/m);
        if (m) {
            clearTimeout(t);
            resolve(m[1]);
        }
    });
    server.on('exit', () => resolve(null));
});
if (!BASE) {
    fail('e2e-serve', `the server did not start: ${serverErr}`);
    process.exit(1);
}
pass('e2e-serve');
const ORIGIN = new URL(BASE).origin;

// ---- the browser ----
let browser;
try {
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    pass('e2e-chromium-starts');
} catch (e) {
    fail('e2e-chromium-starts', e.message);
    server.kill('SIGTERM');
    process.exit(1);
}

// Every request any page makes, every failed subresource, and every console error or uncaught
// exception (a CSP violation shows up as a console error). Chromium also logs a console error for
// a page answered with 4xx: those statuses are checked by the steps that expect them.
const foreign = [];
const consoleErrors = [];
const badResources = [];
function watch(context) {
    context.on('request', (req) => {
        const u = req.url();
        if (u.startsWith('data:') || u.startsWith('about:')) return;
        if (new URL(u).origin !== ORIGIN) foreign.push(u);
    });
    context.on('response', (res) => {
        const t = res.request().resourceType();
        if (t !== 'document' && t !== 'fetch' && res.status() >= 400)
            badResources.push(`${res.status()} ${res.url()}`);
    });
    // Nothing leaves the machine even if a page asked for it.
    context.route(
        (url) => url.origin !== ORIGIN && url.protocol !== 'data:',
        (route) => route.abort(),
    );
    context.on('page', (page) => {
        page.on('console', (m) => {
            if (m.type() === 'error' && !/^Failed to load resource: the server responded/.test(m.text()))
                consoleErrors.push(`${page.url()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    });
}

const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
watch(desktop);
desktop.setDefaultTimeout(15_000);
const page = await desktop.newPage();
const who = () => page.locator('header.top .me a[href^="/u/"]');

await step('e2e-home', async () => {
    const r = await page.goto(BASE + '/');
    check(r.status() === 200, `GET / gave ${r.status()}`);
    check((await page.locator('main h1').innerText()) === 'Papers of 2026-06-14', 'wrong heading');
    check((await page.locator('article.card').count()) > 0, 'no paper cards');
    await shot(page, 'flow-1-home');
});

await step('e2e-signup', async () => {
    await page.goto(BASE + '/signup');
    await page.fill('#name', USER);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(BASE + '/'), page.click('main button.primary')]);
    check((await who().innerText()) === USER, 'the header does not show the new user');
});

await step('e2e-logout', async () => {
    await Promise.all([page.waitForURL(BASE + '/'), page.click('header.top button:has-text("Log out")')]);
    check((await who().count()) === 0, 'still signed in');
    check((await page.locator('header.top a[href="/login"]').count()) === 1, 'no log-in link');
});

await step('e2e-login-wrong-password', async () => {
    await page.goto(BASE + '/login');
    await page.fill('#name', USER);
    await page.fill('#password', 'not-the-password');
    await page.click('main button.primary');
    await page.locator('p.error').waitFor();
    check((await who().count()) === 0, 'signed in with a wrong password');
});

await step('e2e-login', async () => {
    await page.goto(BASE + '/login');
    await page.fill('#name', USER);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(BASE + '/'), page.click('main button.primary')]);
    check((await who().innerText()) === USER, 'the header does not show the user');
});

await step('e2e-search', async () => {
    const box = page.locator('header.top input[name=q]');
    await box.fill('reinforcement learning');
    await Promise.all([page.waitForURL(/\/search\?q=reinforcement\+learning/), box.press('Enter')]);
    const h1 = await page.locator('main h1').innerText();
    check(/^(about )?\d+ results?$/.test(h1), `heading is '${h1}'`);
    check((await page.locator('article.card').count()) > 0, 'no results');
    const marks = await page.locator('article.card .abstract mark').allInnerTexts();
    check(marks.length > 0, 'no <mark> in the snippets');
    check(marks.some((m) => /reinforc|learn/i.test(m)), `marks are ${marks.slice(0, 5).join(', ')}`);
    await shot(page, 'flow-2-search');
});

// The trending list as paper ids, best first.
async function trendingIds() {
    await page.goto(BASE + '/trending?window=week');
    return page.locator('article.card h2 a').evaluateAll((as) =>
        as.map((a) => a.getAttribute('href').replace(/^\/papers\//, '')),
    );
}
// No paper has a vote yet and scores are (points+1)/(age_h+2)^1.5, so the tenth paper has at
// least nine papers of its age or younger above it; one vote doubles its score and puts it above
// every paper of its age or older: it must climb.
const before = await step('e2e-trending-before', async () => {
    const ids = await trendingIds();
    check(ids.length >= 10, `only ${ids.length} papers trending`);
    return { id: ids[9], rank: 10 };
});
const ID = before ? before.id : null;

await step('e2e-open-paper', async () => {
    check(ID, 'no paper chosen');
    await Promise.all([
        page.waitForURL(`${BASE}/papers/${ID}`),
        page.click(`article.card h2 a[href="/papers/${ID}"]`),
    ]);
    check((await page.locator('main h2', { hasText: 'Abstract' }).count()) === 1, 'no abstract');
    check((await page.locator('main pre').innerText()).startsWith('@misc{'), 'no BibTeX');
    check((await page.locator('#comments').count()) === 1, 'no comments section');
});

await step('e2e-upvote-no-reload', async () => {
    const button = page.locator('main article.card form.vote button').first();
    const count = button.locator('.n');
    const n0 = Number(await count.innerText());
    check((await button.getAttribute('aria-pressed')) === 'false', 'already voted');
    await page.evaluate(() => (window.__sameDocument = true));
    const voteReq = page.waitForRequest((q) => q.url().endsWith(`/papers/${ID}/vote`));
    await button.click();
    const req = await voteReq;
    check(req.resourceType() === 'fetch', `the vote went as a ${req.resourceType()}, not fetch`);
    await page.waitForFunction(
        ([sel, want]) => document.querySelector(sel)?.textContent === String(want),
        ['main article.card form.vote button .n', n0 + 1],
    );
    check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
    check((await button.getAttribute('aria-pressed')) === 'true', 'aria-pressed is not true');
    check(await button.evaluate((b) => b.classList.contains('voted')), 'button lacks class voted');
    await shot(page, 'flow-3-paper-voted', false);
});

await step('e2e-upvote-persists', async () => {
    await page.reload();
    const button = page.locator('main article.card form.vote button').first();
    check((await button.locator('.n').innerText()) === '1', 'the count is not 1 after a reload');
    check((await button.getAttribute('aria-pressed')) === 'true', 'not shown as voted');
});

await step('e2e-trending-rises', async () => {
    check(before, 'no rank before');
    const ids = await trendingIds();
    const rank = ids.indexOf(ID) + 1;
    check(rank > 0, `${ID} is no longer on /trending`);
    check(rank < before.rank, `${ID} went from ${before.rank} to ${rank}`);
    await shot(page, 'flow-4-trending-after-vote');
});

const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> see https://example.org/a?b=1&c=2';
await step('e2e-comment-escaped', async () => {
    await page.goto(`${BASE}/papers/${ID}`);
    await page.fill('#body', XSS);
    await Promise.all([
        page.waitForURL(new RegExp(`/papers/${ID.replace('.', '\\.')}`)),
        page.click('#comments button.primary'),
    ]);
    await page.waitForLoadState('load');
    const c = page.locator('#comments .comment').first();
    await c.waitFor();
    const text = await c.locator('.text').innerText();
    check(text.includes('<script>window.__xss=1</script>'), `comment text is '${text}'`);
    check((await c.locator('.text script, .text img').count()) === 0, 'markup in the comment');
    check((await page.evaluate(() => window.__xss)) === undefined, 'the payload ran');
    const link = c.locator('.text a');
    check((await link.getAttribute('href')) === 'https://example.org/a?b=1&c=2', 'no safe link');
    check(((await link.getAttribute('rel')) || '').includes('nofollow'), 'link lacks nofollow');
    check((await c.locator('.who').innerText()).startsWith(USER), 'not signed with the user');
    // The redirect lands on #cN: the new comment must be in view, not under the sticky header.
    const header = await page.locator('header.top').boundingBox();
    const box = await c.boundingBox();
    check(box.y >= header.y + header.height - 1, `the comment (y=${box.y}) is under the header`);
    await shot(page, 'flow-5-paper-commented');
});

// ---- layout: a phone and a desktop; no horizontal scrolling on any page ----
const PAGES = ['/', '/trending', '/search?q=reinforcement+learning', () => `/papers/${ID}`, '/about',
    '/stats', '/login'];
async function layout(context, label) {
    const p = await context.newPage();
    for (const u of PAGES) {
        const url = typeof u === 'function' ? u() : u;
        await step(`e2e-layout-${label} ${url}`, async () => {
            const r = await p.goto(BASE + url);
            check(r.status() === 200, `status ${r.status()}`);
            const { sw, cw } = await p.evaluate(() => ({
                sw: document.documentElement.scrollWidth,
                cw: document.documentElement.clientWidth,
            }));
            check(sw <= cw, `the page is ${sw}px wide in a ${cw}px viewport (horizontal scroll)`);
            // Nothing wider than the viewport either (an overflowing box inside a clipping one).
            const wide = await p.evaluate(() => {
                const w = document.documentElement.clientWidth;
                for (const el of document.querySelectorAll('body *')) {
                    const b = el.getBoundingClientRect();
                    if (b.width > 0 && (b.right > w + 1 || b.left < -1) &&
                        getComputedStyle(el).position !== 'fixed')
                        return `${el.tagName.toLowerCase()}.${el.className} spans ${Math.round(b.left)}..${Math.round(b.right)}`;
                }
                return null;
            });
            check(!wide, wide);
            const name = url === '/' ? 'home' : url.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-');
            await shot(p, `${label}-${name}`);
        });
    }
    await p.close();
}
const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
});
watch(phone);
phone.setDefaultTimeout(15_000);
await layout(phone, 'phone');
await step('e2e-phone-tap-targets', async () => {
    // The vote button must stay a usable touch target on a phone.
    const p = await phone.newPage();
    await p.goto(BASE + '/');
    const b = await p.locator('form.vote button').first().boundingBox();
    await p.close();
    check(b && b.width >= 40 && b.height >= 40, `vote button is ${b && b.width}x${b && b.height}`);
});
await layout(desktop, 'desktop');

await step('e2e-no-external-requests', () => {
    check(foreign.length === 0, `requests to other hosts: ${[...new Set(foreign)].slice(0, 5).join(' ')}`);
});
await step('e2e-no-broken-resources', () => {
    check(badResources.length === 0, badResources.slice(0, 5).join(' '));
});
await step('e2e-no-console-errors', () => {
    check(consoleErrors.length === 0, consoleErrors.slice(0, 3).join(' | '));
});

await browser.close();
server.kill('SIGTERM');
const { code, sig } = await serverExit;
await step('e2e-serve-stops', () => check(code === 0, `exit ${code} ${sig || ''}: ${serverErr.slice(-300)}`));
fs.rmSync(T, { recursive: true, force: true });
clearTimeout(watchdog);
console.log(`e2e screenshots (${shots.length}) in ${ARTIFACTS}:`);
for (const s of shots) console.log(`  ${s}`);
process.exit(failed ? 1 : 0);
