/*
 * Inline SVG charts (no script, no library): stacked bars of events per interval, and a per-row sparkline.
 * Labels and tooltips (<title>) go through the escaping `html` template like everything else.
 */
import { html, formatNumber, type Markup } from './kit.js';

/** Colour-blind-safe palette (Okabe–Ito, then two neutrals); the last colour is for "other". */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#7f7f7f', '#b3b3b3'];

export type Series = { name: string; values: number[] };

/** A round upper bound for the axis: 1, 2, 2.5 or 5 × 10^n. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const W = 960;
const H = 280;
const M = { top: 12, right: 12, bottom: 42, left: 58 };

/** Stacked bars, one per label (interval), one segment per series. */
export function stackedBarChart(series: readonly Series[], labels: readonly string[], title: string): Markup {
  const totals = labels.map((_, i) => series.reduce((n, s) => n + (s.values[i] ?? 0), 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, slot * 0.72);
  const y = (v: number): number => M.top + plotH - (v / top) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  // At most about 16 x labels, whatever the number of intervals.
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const bars: Markup[] = [];
  labels.forEach((label, i) => {
    let base = 0;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const y0 = y(base);
      const y1 = y(base + v);
      base += v;
      bars.push(
        html`<rect class="bar" x="${(M.left + i * slot + (slot - barW) / 2).toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0.5, y0 - y1).toFixed(
          1
        )}" fill="${PALETTE[k % PALETTE.length]}"><title>${s.name} — ${label}: ${formatNumber(v)}</title></rect>`
      );
    });
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}"><title>${title}</title>
<g font-size="11" fill="#5b6475">${ticks.map(
    (t) =>
      html`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e3e7ee"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${formatNumber(
        t
      )}</text>`
  )}
${labels.map((label, i) =>
  i % every === 0
    ? html`<text x="${(M.left + i * slot + slot / 2).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${label}</text>`
    : null
)}</g>
<line x1="${M.left}" x2="${W - M.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#8a94a6"/>
${bars}
</svg>`;
}

/** The legend of a chart: a swatch and the series name, per series. */
export function legend(series: readonly Series[]): Markup {
  return html`<ul class="legend">${series.map(
    (s, k) => html`<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${PALETTE[k % PALETTE.length]}"/></svg> ${s.name}</li>`
  )}</ul>`;
}

/** A small bar sparkline of one row's values (120 × 24). */
export function sparkline(values: readonly number[], label: string): Markup {
  const w = 120;
  const h = 24;
  const max = Math.max(0, ...values);
  const slot = w / Math.max(1, values.length);
  return html`<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${label}"><title>${label}</title>${values.map((v, i) => {
    if (v <= 0 || max === 0) return null;
    const bh = Math.max(1, (v / max) * (h - 2));
    return html`<rect x="${(i * slot + slot * 0.1).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${Math.max(0.8, slot * 0.8).toFixed(1)}" height="${bh.toFixed(1)}" fill="#0b5cab"/>`;
  })}</svg>`;
}
