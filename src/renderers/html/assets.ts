/*
 * The one stylesheet and the one script every HTML report carries inline (their hashes go into the page's
 * Content-Security-Policy). The script holds no data: it filters what the page already shows, reading only
 * the DOM (data-* attributes and text), so nothing from the org ever runs as code.
 *
 * Filtering contract (see filterScript below):
 * - [data-item]: a row or card that filters hide; data-sev="<severity>" for the severity boxes; its text is
 *   searched in its [data-search] descendants (or the whole item when it has none) and in its group's
 *   [data-group-name]; data-flag-<name> marks
 *   it for a [data-filter=flag] checkbox whose value is <name> (when any is checked, only items marked for a
 *   checked one are shown).
 * - [data-group]: hidden when none of its items is shown. [data-view]: shown when its view is selected.
 * - [data-filter=text|severity|flag|view] are the controls; [data-count] shows how many items are shown.
 */

export const PAGE_CSS = `
:root{--fg:#1d2433;--muted:#5b6475;--line:#d9dee7;--bg:#f6f7f9;--card:#fff;--accent:#0b5cab;
--critical:#8e0e1c;--high:#c23934;--medium:#a35f00;--low:#2e6e9e;--info:#5b6475;--ok:#2e844a;--warn:#a35f00}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#032d60;color:#fff;padding:18px 28px}
header.top h1{margin:0 0 4px;font-size:22px}
header.top .meta{color:#c9d7ea;font-size:13px}
header.top .meta span+span::before{content:" · "}
main{padding:18px 28px 40px;max-width:1280px}
h2{font-size:17px;margin:26px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0}
a{color:var(--accent)}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:110px}
.card .n{font-size:24px;font-weight:650}
.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card.critical .n{color:var(--critical)}.card.high .n{color:var(--high)}.card.medium .n{color:var(--medium)}
.card.low .n{color:var(--low)}.card.info .n{color:var(--info)}
.note{background:#fff8e6;border:1px solid #f0d28a;border-radius:6px;padding:8px 12px;margin:10px 0}
.controls{position:sticky;top:0;z-index:2;background:var(--bg);padding:10px 0;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center}
.controls input[type=search]{font:inherit;padding:5px 8px;border:1px solid #aab3c2;border-radius:4px;min-width:260px}
.controls label{white-space:nowrap;cursor:pointer}
.controls .count{color:var(--muted)}
.group{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:12px 0;padding:10px 14px}
.group>header{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:baseline;margin-bottom:6px}
.group>header .sub{color:var(--muted);font-size:12px}
.finding{border-top:1px solid #eef0f4;padding:8px 0}
.finding:first-of-type{border-top:0}
.finding .head{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:baseline}
.finding .msg{margin:3px 0}
.finding .loc,.muted{color:var(--muted);font-size:12px}
.sev{display:inline-block;min-width:64px;text-align:center;border-radius:3px;padding:0 6px;font-size:11px;font-weight:650;text-transform:uppercase;color:#fff}
.sev.critical{background:var(--critical)}.sev.high{background:var(--high)}.sev.medium{background:var(--medium)}
.sev.low{background:var(--low)}.sev.info{background:var(--info)}
.rule{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.tag{display:inline-block;border:1px solid #9fb6d3;color:#234;background:#eef4fb;border-radius:10px;padding:0 7px;font-size:11px}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:11px;font-weight:650;white-space:nowrap}
td.id{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.badge.unknown{background:#fde7e9;color:var(--critical);border:1px solid #f3b8bf}
.badge.pass{background:#e6f4ea;color:var(--ok)}.badge.fail{background:#fde7e9;color:var(--high)}
.badge.not-evaluated{background:#eef0f4;color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre.cmd{background:#f1f3f6;border:1px solid #e1e5eb;border-radius:4px;padding:5px 8px;margin:4px 0;white-space:pre-wrap;word-break:break-all}
details{margin-top:4px}
details summary{cursor:pointer;color:var(--accent);font-size:12px}
details .why{margin:6px 0}
ol.fix,ul.plain{margin:4px 0;padding-left:20px}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #eef0f4;overflow-wrap:break-word}
td.date{white-space:nowrap}
th{background:#f0f3f7;font-size:12px;color:#3b4556;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.unknown td{background:#fff3f4}
.chart{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px}
.chart>svg{width:100%;height:auto;display:block}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0 0;padding:0;list-style:none;font-size:12px}
.legend svg{vertical-align:-1px}
.spark{display:block}
footer{color:var(--muted);font-size:12px;margin-top:30px}
@media print{
 body{background:#fff;font-size:11px}
 header.top{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 6px}
 header.top .meta{color:#333}
 main{padding:0;max-width:none}
 .controls{display:none}
 .group,.card,.chart,table{border-color:#999}
 .group,.finding,tr{break-inside:avoid}
 th{position:static}
 details summary{display:none}
 a{color:#000;text-decoration:none}
 .sev{color:#000;border:1px solid #000;background:#fff!important}
}
`;

const filterScript = `(function () {
  var d = document;
  var all = function (sel, root) { return Array.prototype.slice.call((root || d).querySelectorAll(sel)); };
  var text = d.querySelector('[data-filter=text]');
  var sevs = all('[data-filter=severity]');
  var flags = all('[data-filter=flag]');
  var views = all('[data-filter=view]');
  function matches(item, q, allowed, required) {
    if (sevs.length && item.dataset.sev && !allowed[item.dataset.sev]) return false;
    if (required.length && !required.some(function (r) { return item.hasAttribute('data-flag-' + r); })) return false;
    if (!q) return true;
    var parts = all('[data-search]', item);
    var hay = parts.length ? parts.map(function (p) { return p.textContent; }).join(' ') : item.textContent;
    var group = item.closest('[data-group]');
    var name = group && group.querySelector('[data-group-name]');
    if (name) hay += ' ' + name.textContent;
    hay = hay.toLowerCase();
    return hay.indexOf(q) !== -1;
  }
  function apply() {
    var q = text ? text.value.trim().toLowerCase() : '';
    var allowed = {};
    sevs.forEach(function (s) { if (s.checked) allowed[s.value] = true; });
    var required = flags.filter(function (f) { return f.checked; }).map(function (f) { return f.value; });
    var view = null;
    views.forEach(function (v) { if (v.checked) view = v.value; });
    all('[data-view]').forEach(function (v) { v.hidden = view !== null && v.dataset.view !== view; });
    all('[data-item]').forEach(function (item) { item.hidden = !matches(item, q, allowed, required); });
    all('[data-group]').forEach(function (g) { g.hidden = !g.querySelector('[data-item]:not([hidden])'); });
    var scope = view !== null ? '[data-view="' + view + '"] ' : '';
    var shown = all(scope + '[data-item]:not([hidden])').length;
    all('[data-count]').forEach(function (c) { c.textContent = String(shown); });
  }
  all('[data-filter]').forEach(function (c) { c.addEventListener('input', apply); c.addEventListener('change', apply); });
  // Printing shows every explanation, whatever was folded on screen.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = all('details:not([open])');
    opened.forEach(function (x) { x.open = true; });
  });
  window.addEventListener('afterprint', function () { opened.forEach(function (x) { x.open = false; }); });
  apply();
})();`;

export const PAGE_SCRIPT = filterScript;
