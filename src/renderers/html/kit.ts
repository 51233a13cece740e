/*
 * The building blocks of the HTML reports: a template tag that escapes every interpolated value unless it is
 * markup we built ourselves, and the page around a report. A report is one self-contained file: inline CSS
 * and one inline script (ours, never holding org data), both pinned by hash in a Content-Security-Policy that
 * allows nothing else — no network request, no other script, no inline event handler, no plugin, no form.
 */
import { createHash } from 'node:crypto';
import { showInvisible } from '../terminal.js';
import { PAGE_CSS, PAGE_SCRIPT } from './assets.js';

/** Markup built by our own templates; anything that is not Markup is escaped when interpolated. */
export class Markup {
  public constructor(public readonly text: string) {}
  public toString(): string {
    return this.text;
  }
}

/** Text we wrote ourselves and know to be safe markup (never org data). */
export const trusted = (text: string): Markup => new Markup(text);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return showInvisible(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A name that may break after its underscores and dots (API names have no spaces): each part escaped, `<wbr>` between. */
export function breakable(text: string): Markup {
  return new Markup(text.split(/(?<=[_.])/).map(escapeHtml).join('<wbr>'));
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return (value as readonly Value[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<p>${name}</p>\`` escapes `name`; Markup values and arrays of them are inserted as they are. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new Markup(out);
}

export const sha256 = (text: string): string => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

/** The policy every report carries: only its own inline style and script, no requests of any kind. */
export function contentSecurityPolicy(css: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src '${sha256(css)}'`,
    `script-src '${sha256(script)}'`,
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export type PageParts = {
  title: string;
  /** The page's `<body>` content. */
  body: Markup;
  lang?: string;
};

/** A whole HTML document. */
export function page(parts: PageParts): string {
  const csp = contentSecurityPolicy(PAGE_CSS, PAGE_SCRIPT);
  return (
    html`<!DOCTYPE html>
<html lang="${parts.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title}</title>
<style>${trusted(PAGE_CSS)}</style>
</head>
<body>
${parts.body}
<script>${trusted(PAGE_SCRIPT)}</script>
</body>
</html>
`.text
  );
}

/** A link opening outside the report (the org's Setup): no referrer, no opener. */
export function externalLink(href: string, text: Value): Markup {
  return html`<a href="${href}" rel="noopener noreferrer" target="_blank">${text}</a>`;
}

/** 1234567 → "1,234,567" (fixed locale, so reports are the same on every machine). */
export function formatNumber(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An ISO time as "YYYY-MM-DD HH:MM UTC"; "" for null. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
