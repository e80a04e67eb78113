/**
 * A Fastify path as an OpenAPI path template, with its parameters in order:
 * `/users/:id` => `/users/{id}`; `/files/:name(^\\w+$).png` => `/files/{name}.png` (the
 * pattern is the parameter's, see `patterns`); `::` is a literal colon.
 */
export function pathTemplate(url: string): { template: string; params: string[]; patterns: Map<string, string> } {
  const params: string[] = [];
  const patterns = new Map<string, string>();
  let template = '';
  for (let i = 0; i < url.length;) {
    if (url[i] === ':' && url[i + 1] === ':') { template += ':'; i += 2; continue; }
    const m = url[i] === ':' ? /^:([A-Za-z0-9_]+)(\((?:\\.|[^)])*\))?/.exec(url.slice(i)) : null;
    if (!m) { template += url[i]; i++; continue; }
    params.push(m[1]!);
    if (m[2]) patterns.set(m[1]!, m[2].slice(1, -1));
    template += `{${m[1]}}`;
    i += m[0].length;
  }
  return { template, params, patterns };
}
