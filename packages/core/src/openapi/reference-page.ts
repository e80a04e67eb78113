import { createHash } from 'node:crypto';
import { posix } from 'node:path';

/**
 * The interactive reference page: one self-contained HTML file (no CDN, no fonts, nothing from
 * the internet) that loads the document from the same server, lists the operations by tag with
 * their parameters, bodies and responses, and sends requests ("Try it"). Its inline script and
 * style are allowed by hash in its Content-Security-Policy; it can only talk to its own origin.
 */
const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header,main{max-width:980px;margin:auto;padding:0 16px}
header{padding-top:16px;border-bottom:1px solid #d0d7de}
h1{margin:.2em 0}h2{margin:1.2em 0 .4em;border-bottom:1px solid #eee}
.muted{color:#656d76}.dep{text-decoration:line-through}
details.op{border:1px solid #d0d7de;border-radius:6px;margin:6px 0}
details.op>summary{cursor:pointer;padding:6px 10px;display:flex;gap:10px;align-items:baseline}
details.op>div{padding:4px 12px 12px}
.m{font:bold 12px monospace;min-width:56px;text-align:center;border-radius:4px;padding:2px 4px;color:#fff;background:#6e7781}
.get{background:#0969da}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}
code,pre,textarea,input{font:13px ui-monospace,monospace}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px;margin:4px 0}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
textarea{width:100%;min-height:90px}input{width:100%}button{margin:6px 0;padding:4px 14px}
.status{font-weight:bold}`;

const SCRIPT = `
'use strict';
const docUrl = document.querySelector('meta[name="openapi-url"]').content;
const root = document.getElementById('root');
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  for (const kid of kids.flat()) if (kid !== undefined && kid !== null) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}
function refName(ref) { return decodeURIComponent(ref.split('/').pop()).replace(/~1/g, '/').replace(/~0/g, '~'); }
function resolve(doc, s) { let n = 0; while (s && s.$ref && n++ < 20) s = doc.components.schemas[refName(s.$ref)]; return s || {}; }
function typeOf(s) {
  if (!s) return 'any';
  if (s.$ref) return refName(s.$ref);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map(typeOf).join(' | ');
  if (s.type === 'array') return typeOf(s.items) + '[]';
  return [].concat(s.type || 'any').join(' | ') + (s.format ? ' (' + s.format + ')' : '');
}
function example(doc, s, depth) {
  s = resolve(doc, s);
  if (depth > 6) return null;
  if (s.examples && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.anyOf || s.oneOf) return example(doc, (s.anyOf || s.oneOf)[0], depth + 1);
  const type = [].concat(s.type || 'object')[0];
  if (type === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(s.properties || {})) if ((s.required || []).includes(k)) out[k] = example(doc, v, depth + 1);
    return out;
  }
  if (type === 'array') return [example(doc, s.items, depth + 1)];
  if (type === 'integer' || type === 'number') return s.minimum !== undefined ? s.minimum : s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0;
  if (type === 'boolean') return false;
  if (type === 'null') return null;
  return s.format === 'email' ? 'name@example.com' : s.format === 'date-time' ? new Date(0).toISOString() : s.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'string';
}
function serverBase(doc) { return ((doc.servers && doc.servers[0] && doc.servers[0].url) || '').replace(/\\/$/, ''); }
function schemaBlock(s) { return h('pre', {}, JSON.stringify(s, null, 2)); }
function tryIt(doc, path, method, op) {
  const params = op.parameters || [];
  const inputs = params.map((p) => [p, h('input', { 'aria-label': p.name, placeholder: typeOf(p.schema), value: p.in === 'path' ? String(example(doc, p.schema, 0)) : undefined })]);
  const body = op.requestBody ? h('textarea', { 'aria-label': 'request body' }, JSON.stringify(example(doc, op.requestBody.content['application/json'].schema, 0), null, 2)) : null;
  const out = h('div');
  const send = h('button', { type: 'button' }, 'Send');
  send.addEventListener('click', async () => {
    let url = path;
    const query = new URLSearchParams();
    const headers = {};
    for (const [p, input] of inputs) {
      if (input.value === '') continue;
      if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(input.value));
      else if (p.in === 'query') query.append(p.name, input.value);
      else if (p.in === 'header') headers[p.name] = input.value;
    }
    if (body) headers['content-type'] = 'application/json';
    const qs = query.toString();
    url = serverBase(doc) + url + (qs ? '?' + qs : '');
    out.replaceChildren(h('p', { class: 'muted' }, method.toUpperCase() + ' ' + url + ' ...'));
    try {
      const res = await fetch(url, { method: method.toUpperCase(), headers, body: body ? body.value : undefined, credentials: 'same-origin' });
      const text = await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      out.replaceChildren(h('p', {}, h('span', { class: 'status' }, res.status + ' ' + res.statusText)), h('pre', {}, shown || '(empty body)'));
    } catch (e) {
      out.replaceChildren(h('p', {}, 'Request failed: ' + e.message));
    }
  });
  return h('div', {}, h('h4', {}, 'Try it'),
    inputs.length ? h('table', {}, inputs.map(([p, input]) => h('tr', {}, h('td', {}, h('code', {}, p.name), ' ', h('span', { class: 'muted' }, p.in)), h('td', {}, input)))) : null,
    body, send, out);
}
function operation(doc, path, method, op) {
  const params = op.parameters || [];
  const body = op.requestBody && op.requestBody.content['application/json'];
  return h('details', { class: 'op', id: op.operationId },
    h('summary', {}, h('span', { class: 'm ' + method }, method.toUpperCase()), h('code', { class: op.deprecated ? 'dep' : undefined }, path), h('span', { class: 'muted' }, op.summary || op.operationId)),
    h('div', {},
      op.description ? h('p', {}, op.description) : null,
      op.deprecated ? h('p', {}, h('strong', {}, 'Deprecated.')) : null,
      op.security ? h('p', { class: 'muted' }, 'Security: ' + (op.security.map((r) => Object.keys(r).join(' + ')).join(' or ') || 'none')) : null,
      params.length ? [h('h4', {}, 'Parameters'), h('table', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'In'), h('th', {}, 'Type'), h('th', {}, 'Description')),
        params.map((p) => h('tr', {}, h('td', {}, h('code', {}, p.name), p.required ? ' *' : ''), h('td', {}, p.in), h('td', {}, h('code', {}, typeOf(p.schema))), h('td', {}, p.description || ''))))] : null,
      body ? [h('h4', {}, 'Request body' + (op.requestBody.required ? ' (required)' : '')), schemaBlock(body.schema)] : null,
      h('h4', {}, 'Responses'),
      Object.entries(op.responses).map(([status, r]) => h('div', {}, h('p', {}, h('span', { class: 'status' }, status), ' ', r.description),
        r.content ? schemaBlock(r.content['application/json'].schema) : null)),
      tryIt(doc, path, method, op)));
}
function render(doc) {
  const header = h('header', {}, h('h1', {}, doc.info.title), h('p', { class: 'muted' }, 'Version ' + doc.info.version + ' \\u00b7 ', h('a', { href: docUrl }, 'OpenAPI document')),
    doc.info.description ? h('p', {}, doc.info.description) : null);
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    for (const tag of (op.tags && op.tags.length ? op.tags : ['default'])) { if (!byTag.has(tag)) byTag.set(tag, []); byTag.get(tag).push([path, method, op]); }
  }
  const tags = new Map((doc.tags || []).map((t) => [t.name, t.description]));
  const main = h('main', {}, [...byTag].map(([tag, ops]) => [h('h2', {}, tag), tags.get(tag) ? h('p', { class: 'muted' }, tags.get(tag)) : null, ops.map(([p, m, op]) => operation(doc, p, m, op))]),
    h('h2', {}, 'Schemas'), Object.entries(doc.components.schemas).map(([name, s]) => h('details', { class: 'op', id: 'schema-' + name }, h('summary', {}, h('code', {}, name)), h('div', {}, schemaBlock(s)))));
  root.replaceChildren(header, main);
  if (location.hash) { const target = document.getElementById(location.hash.slice(1)); if (target) { target.open = true; target.scrollIntoView(); } }
}
fetch(docUrl, { headers: { accept: 'application/json' } })
  .then((res) => { if (!res.ok) throw new Error(res.status + ' ' + res.statusText); return res.json(); })
  .then(render)
  .catch((e) => root.replaceChildren(h('main', {}, h('p', {}, 'Could not load ' + docUrl + ': ' + e.message))));
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The Content-Security-Policy of the page: its own script and style by hash, requests to its own origin only. */
export const REFERENCE_PAGE_CSP = [
  "default-src 'none'", `script-src ${sha256(SCRIPT)}`, `style-src ${sha256(STYLE)}`, "connect-src 'self'",
  "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page served at `pagePath`; it loads the document from `documentPath` by a relative URL, so it also works behind a proxy that adds a path prefix. */
export function referencePage(pagePath: string, documentPath: string, title: string): string {
  const dir = pagePath.endsWith('/') ? pagePath : posix.dirname(pagePath);
  const relative = posix.relative(dir, documentPath) || posix.basename(documentPath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="openapi-url" content="${escapeHtml(relative)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<div id="root"><main><p>Loading ${escapeHtml(relative)}...</p></main></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
