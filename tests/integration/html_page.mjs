// The HTML report as a phone and a laptop show it, measured in headless
// Chromium driven over the DevTools protocol (--remote-debugging-pipe: no
// port, no npm package). html_page.sh runs it; see there for what it checks.
//
// usage: node html_page.mjs CHROMIUM AXE_JS PROFILE_DIR SHOTS_DIR|- KIND=REPORT...
//   KIND: pass (nothing failed) or fail (the top summary starts with a
//   failing journey whose link shows its evidence).
// Prints one "ok ..." or "FAIL ..." line per check; exits 1 if any failed.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const [chromium, axePath, profile, shots, ...reports] = process.argv.slice(2);
const axeSource = readFileSync(axePath, "utf8");

const browser = spawn(
  chromium,
  ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
   "--disable-extensions", "--hide-scrollbars", `--user-data-dir=${profile}`,
   "--remote-debugging-pipe", "about:blank"],
  { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
const killer = setTimeout(() => { console.log("FAIL the browser did not answer in 150 s"); browser.kill(); process.exit(1); }, 150000);

// The protocol over the pipe: JSON messages ended by NUL.
let lastId = 0, inbox = "";
const replies = new Map(), events = [];
fromBrowser.on("data", (chunk) => {
  inbox += chunk.toString("utf8");
  for (let end; (end = inbox.indexOf("\0")) >= 0; inbox = inbox.slice(end + 1)) {
    const m = JSON.parse(inbox.slice(0, end));
    if (m.id !== undefined && replies.has(m.id)) {
      const r = replies.get(m.id);
      replies.delete(m.id);
      if (m.error) r.reject(new Error(`${r.method}: ${JSON.stringify(m.error)}`));
      else r.resolve(m.result);
    } else {
      for (let k = 0; k < events.length; k++)
        if (events[k].method === m.method) { events.splice(k, 1)[0].resolve(m.params); break; }
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = ++lastId;
  toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + "\0");
  return new Promise((resolve, reject) => replies.set(id, { method, resolve, reject }));
}
const next = (method) => new Promise((resolve) => events.push({ method, resolve }));

async function evaluate(session, expression) {
  const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, session);
  if (r.exceptionDetails) throw new Error(`in the page: ${JSON.stringify(r.exceptionDetails).slice(0, 400)}`);
  return r.result.value;
}

// What the page looks like at one width: its width against the viewport's,
// what sticks out, the URL cells' widths, and the top summary's first link.
const measure = `(() => {
  const doc = document.documentElement, view = doc.clientWidth;
  const out = { view, scroll: doc.scrollWidth, wide: [], urls: [] };
  // The outermost elements that reach past the viewport's right edge.
  document.querySelectorAll("body *").forEach((e) => {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > view + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > view + 1) && out.wide.length < 5)
      out.wide.push(e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") + " right " + Math.round(r.right));
  });
  document.querySelectorAll("td.url").forEach((td) => out.urls.push(Math.round(td.getBoundingClientRect().width)));
  // The latency charts' texts (ticks, markers, titles) as drawn: the font
  // size in the SVG's units times the SVG's scale on the screen.
  out.charts = document.querySelectorAll("svg.latency").length;
  out.chartText = [];
  document.querySelectorAll("svg.latency text").forEach((t) => {
    const m = t.getScreenCTM(), size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (!out.chartText.length || size < out.chartText[0].size)
      out.chartText = [{ size: Math.round(size * 10) / 10, text: t.textContent.trim() }];
  });
  // The top summary: its journeys in order, and the first one's link.
  // (Before it existed, the nearest thing was the readiness card's list
  // of losses: measured the same way, so the test says what it lacks.)
  let items = [...document.querySelectorAll("#attention li")];
  if (!items.length) items = [...document.querySelectorAll("#readiness ol li")];
  // A journey failed when its section's heading says so.
  const failed = (sec) => !!sec && /failed|unreachable|broken/.test(sec.querySelector("h2 .status").textContent);
  out.summary = items.map((li) => {
    const a = li.querySelector("a[href^='#']");
    const t = a && document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
    const sec = t && t.closest("section.rehearsal");
    return { text: li.textContent.replace(/\\s+/g, " ").trim().slice(0, 160), section: sec ? sec.id : null, failed: failed(sec) };
  });
  out.failing = [...document.querySelectorAll("section.rehearsal")].filter(failed).map((s) => s.id);
  return JSON.stringify(out);
})()`;

// Follows the first link of the top summary: what is on the screen then.
const follow = `(async () => {
  const a = document.querySelector("#attention li a[href^='#']") || document.querySelector("#readiness ol li a[href^='#']");
  if (!a) return JSON.stringify({ error: "no link in the top summary (#attention)" });
  const id = decodeURIComponent(a.getAttribute("href").slice(1));
  const target = document.getElementById(id);
  if (!target) return JSON.stringify({ error: "its link " + a.getAttribute("href") + " leads nowhere" });
  a.click();
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const onScreen = (e) => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.top < innerHeight; };
  const terms = [...target.querySelectorAll("dt")].filter(onScreen).map((d) => d.textContent.trim());
  const transcript = [...target.querySelectorAll("pre.transcript")].some(onScreen);
  return JSON.stringify({ id, terms, transcript, text: target.textContent.replace(/\\s+/g, " ").trim().slice(0, 200) });
})()`;

const axeRun = `axe.run(document, { resultTypes: ["violations"] }).then((r) => JSON.stringify(
  r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
    first: v.nodes[0] ? v.nodes[0].target.join(" ") : "" }))))`;

let failed = 0;
const ok = (what) => console.log(`ok   ${what}`);
const fail = (what) => { failed++; console.log(`FAIL ${what}`); };

try {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId: s } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Page.enable", {}, s);
  for (const spec of reports) {
    const [kind, file] = [spec.slice(0, spec.indexOf("=")), spec.slice(spec.indexOf("=") + 1)];
    const name = basename(file, ".html");
    for (const width of [390, 1280]) {
      const phone = width < 600;
      // A phone: the page laid out at 390 CSS px, as its viewport meta asks.
      await send("Emulation.setDeviceMetricsOverride",
        { width, height: phone ? 844 : 900, deviceScaleFactor: 1, mobile: phone }, s);
      const loaded = next("Page.loadEventFired");
      await send("Page.navigate", { url: "file://" + file }, s);
      await loaded;
      const m = JSON.parse(await evaluate(s, measure));
      const where = `${name} at ${width} px`;
      // A phone's innerWidth grows with what overflows; the layout
      // viewport (clientWidth) is the screen's width.
      if (phone && m.view !== width)
        fail(`${where}: the viewport is ${m.view} px, not ${width}`);
      if (m.scroll > m.view)
        fail(`${where}: the page is ${m.scroll} px wide, wider than the ${m.view} px screen: ${m.wide.join("; ")}`);
      else
        ok(`${where}: ${m.scroll} px wide, no sideways scroll`);
      if (m.charts && m.chartText[0].size < 9)
        fail(`${where}: the latency chart's labels are drawn ${m.chartText[0].size} px high (e.g. '${m.chartText[0].text}'), under 9 px`);
      else if (m.charts)
        ok(`${where}: the latency charts' labels are ${m.chartText[0].size} px or more (${m.charts} charts)`);
      if (phone) {
        const narrow = m.urls.filter((u) => u < 0.6 * m.view);
        if (narrow.length)
          fail(`${where}: ${narrow.length} of ${m.urls.length} URLs squeezed into a column ${Math.min(...narrow)} px wide (of ${m.view})`);
        else if (m.urls.length)
          ok(`${where}: every URL on a line of its own (${Math.min(...m.urls)} px or more)`);
      }
      const violations = await evaluate(s, axeSource + "\n;" + axeRun).then(JSON.parse);
      if (violations.length)
        fail(`${where}: axe-core: ${violations.map((v) => `${v.id} (${v.impact}, ${v.nodes}x, e.g. ${v.first})`).join("; ")}`);
      else
        ok(`${where}: axe-core found no violation`);
      if (shots !== "-") {
        const shot = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, s);
        writeFileSync(`${shots}/${name}-${width}.png`, Buffer.from(shot.data, "base64"));
      }
      if (kind === "fail") {
        if (!m.summary.length) {
          fail(`${where}: no top summary of the journeys that failed (#attention li)`);
        } else {
          const first = m.summary[0];
          const leading = new Set(m.summary.slice(0, m.failing.length).filter((j) => j.failed).map((j) => j.section));
          if (leading.size < m.failing.length)
            fail(`${where}: the top summary does not start with the ${m.failing.length} failing journeys: ${m.summary.map((j) => j.text.slice(0, 80)).join(" | ")}`);
          const f = JSON.parse(await evaluate(s, follow));
          if (f.error)
            fail(`${where}: ${f.error}`);
          else if (!(f.terms.includes("Expected") && f.terms.includes("Actual")) && !f.transcript)
            fail(`${where}: the first journey's link (#${f.id}) does not bring expected vs actual on screen (shown: ${f.terms.join(", ") || "none"}; ${f.text})`);
          else
            ok(`${where}: the top summary starts with "${first.text.slice(0, 70)}"; its link shows ${f.terms.join(", ")}${f.transcript ? " and the transcript" : ""}`);
        }
      } else if (m.failing.length) {
        fail(`${where}: ${m.failing.length} journeys failed in a run expected to pass`);
      }
    }
  }
} catch (e) {
  fail(`the browser: ${e.message}`);
}
clearTimeout(killer);
// Closed, and gone, before html_page.sh removes its profile.
const gone = new Promise((resolve) => browser.on("exit", resolve));
await Promise.race([send("Browser.close").catch(() => {}), gone]);
await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000))]);
browser.kill();
process.exit(failed ? 1 : 0);
