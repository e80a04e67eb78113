import { z } from 'zod';
import { FleetError } from '../errors.js';
import type { OpenApiInfo, OpenApiSecurityRequirement, OpenApiSecurityScheme, OpenApiServer, OpenApiTag } from './types.js';

/**
 * `createApp(AppModule, { openapi })`: the OpenAPI 3.1 document generated from the routes. Pass
 * the same object to `fleet openapi --options` so the written document is the served one.
 */
export interface OpenApiOptions {
  /**
   * Serve the document at `path`. Off in production unless set (or `ui` is): the document lists
   * every route, internal ones included, and costs a little boot time and heap.
   * @default true in development, false in production
   */
  serve?: boolean;
  /** Where the document is served. @default '/openapi.json' */
  path?: string;
  /**
   * The interactive reference page: a self-contained HTML page (it loads nothing from the
   * internet) that lists the operations and sends requests. `true` serves it at `/docs`; a string
   * is its path. Turning it on serves the document too. Off in production unless set.
   * @default true in development, false in production
   */
  ui?: boolean | string;
  /** The document's `info`. @default { title: '<root module name without Module> API', version: '0.0.0' } */
  info?: Partial<OpenApiInfo>;
  /** Base URLs of the API. @default none: clients use the document's own origin */
  servers?: OpenApiServer[];
  /** Security schemes by name, which `@ApiDoc({ security: ['name'] })` and `security` refer to. @default {} */
  securitySchemes?: Record<string, OpenApiSecurityScheme>;
  /** Security of every route without its own `@ApiDoc({ security })`: names of `securitySchemes`, or requirement objects. @default none */
  security?: Array<string | OpenApiSecurityRequirement>;
  /** Descriptions of tags (a tag is a controller's name without `Controller`, unless `@ApiDoc({ tags })` says otherwise). */
  tags?: OpenApiTag[];
}

export interface ResolvedOpenApiOptions {
  readonly serve: boolean;
  readonly path: string;
  /** The reference page's path, when it is served. */
  readonly ui: string | undefined;
  readonly info: OpenApiInfo;
  readonly servers: readonly OpenApiServer[] | undefined;
  readonly securitySchemes: Readonly<Record<string, OpenApiSecurityScheme>>;
  readonly security: readonly OpenApiSecurityRequirement[] | undefined;
  readonly tags: readonly OpenApiTag[];
}

/** The schema of an `OpenApiOptions` object, built the first time an app passes one (not at import: decision 008). */
let shape: z.ZodType | undefined;
const optionsShape = (): z.ZodType => shape ??= buildShape();

function buildShape(): z.ZodType {
  const routePath = z.string().regex(/^\/[^\s?#:*]*$/, 'must start with / and have no spaces, ?, #, : or *');
  const requirement = z.union([z.string().min(1), z.record(z.string(), z.array(z.string()))]);
  return z.strictObject({
    serve: z.boolean().optional(),
    path: routePath.optional(),
    ui: z.union([z.boolean(), routePath]).optional(),
    info: z.looseObject({ title: z.string().min(1).optional(), version: z.string().min(1).optional() }).optional(),
    servers: z.array(z.looseObject({ url: z.string().min(1) })).optional(),
    securitySchemes: z.record(z.string().regex(/^[\w.-]+$/, 'must be letters, digits, ., - or _'), z.looseObject({ type: z.enum(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect']) })).optional(),
    security: z.array(requirement).optional(),
    tags: z.array(z.looseObject({ name: z.string().min(1), description: z.string().optional() })).optional(),
  });
}

/** Validates `createApp`'s `openapi` option once and resolves its defaults; `appName` is the root module's name. */
export function resolveOpenApiOptions(setting: boolean | OpenApiOptions | undefined, production: boolean, appName: string): ResolvedOpenApiOptions {
  const given = setting === true || setting === false || setting === undefined ? {} : setting;
  // `true`, `false` and no setting have nothing to validate.
  const parsed = given === setting ? optionsShape().safeParse(given) : undefined;
  if (parsed?.success === false) {
    const problems = parsed.error.issues.map((i) => `openapi${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
    throw new FleetError('FLEET_ERR_OPENAPI_INVALID_OPTIONS', `Invalid openapi option of createApp:\n  ${problems.join('\n  ')}\nFix: see OpenApiOptions (docs/openapi.md).`);
  }
  const o = given as OpenApiOptions;
  const serve = setting === false ? false : o.serve ?? (setting === true || (o.ui !== undefined && o.ui !== false) || !production);
  const uiSetting = setting === false ? false : o.ui ?? (serve && !production);
  if (uiSetting !== false && o.serve === false) {
    throw new FleetError('FLEET_ERR_OPENAPI_INVALID_OPTIONS', 'openapi.ui is on but openapi.serve is false: the reference page loads the served document. Fix: remove serve: false, or set ui: false.');
  }
  const path = o.path ?? '/openapi.json';
  const ui = uiSetting === false ? undefined : uiSetting === true ? '/docs' : uiSetting;
  if (ui === path) throw new FleetError('FLEET_ERR_OPENAPI_INVALID_OPTIONS', `openapi.ui and openapi.path are both ${path}. Fix: give the reference page another path (e.g. ui: '/docs').`);
  const securitySchemes = o.securitySchemes ?? {};
  const security = o.security?.map((r) => normalizeRequirement(r));
  const unknown = (security ?? []).flatMap((r) => Object.keys(r)).filter((name) => !(name in securitySchemes));
  if (unknown.length > 0) {
    throw new FleetError('FLEET_ERR_OPENAPI_INVALID_OPTIONS', `openapi.security names ${unknown.map((n) => `'${n}'`).join(', ')}, which openapi.securitySchemes does not declare` +
      ` (it declares ${Object.keys(securitySchemes).map((n) => `'${n}'`).join(', ') || 'none'}). Fix: declare the scheme in securitySchemes, or correct the name.`);
  }
  return Object.freeze({
    serve,
    path,
    ui,
    info: { title: `${appName} API`, version: '0.0.0', ...o.info },
    servers: o.servers,
    securitySchemes,
    security,
    tags: o.tags ?? [],
  });
}

/** `'session'` => `{ session: [] }`: a scheme name is a requirement with no scopes. */
export function normalizeRequirement(r: string | OpenApiSecurityRequirement): OpenApiSecurityRequirement {
  return typeof r === 'string' ? { [r]: [] } : r;
}

/** `AppModule` => `App`; a dynamic module (`{ module: AppModule }`) is named by its class. */
export function appNameOf(rootModule: unknown): string {
  const cls = typeof rootModule === 'function' ? rootModule : (rootModule as { module?: unknown } | null)?.module;
  const name = typeof cls === 'function' && cls.name ? cls.name : 'App';
  return name.replace(/Module$/, '') || name;
}
