import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseWebRuntimeConfig } from '@pixel-prompt/contracts';
import ts from 'typescript';
import { type K8sObject, find, readSource, render, root } from './support';

/**
 * The public URL layout (docs/DEPLOYMENT.md): every page of the web app reaches web and every API
 * route reaches the gateway, evaluated on the rendered Ingress the way the AWS Load Balancer
 * Controller turns it into listener rules.
 */

interface IngressPath {
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: { service: { name: string } };
}

/**
 * The listener rules of one Ingress host, in the controller's order: Exact paths first, then Prefix
 * paths longest first, then ImplementationSpecific ones as listed (AWS LBC ≥ 2.4.3). A Prefix path
 * becomes the path patterns `/p` and `/p/*` (`/` becomes `/*`): Kubernetes' element-wise prefix match.
 */
function listenerRules(paths: IngressPath[]): { patterns: string[]; service: string }[] {
  const rank = (p: IngressPath) => (p.pathType === 'Exact' ? 0 : p.pathType === 'Prefix' ? 1 : 2);
  const ordered = paths
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || (a.p.pathType === 'Prefix' ? b.p.path.length - a.p.path.length : 0) || a.i - b.i);
  return ordered.map(({ p }) => {
    const base = p.path.replace(/\/+$/, '');
    const patterns = p.pathType === 'Prefix' ? (base === '' ? ['/*'] : [base, `${base}/*`]) : [p.path];
    return { patterns, service: p.backend.service.name };
  });
}

/** An ALB path pattern: case-sensitive, `*` any characters, `?` one character. */
function matches(pattern: string, path: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(path);
}

/** The Service the ALB forwards a request path to, or undefined (the listener's default: 404). */
function routeOf(ingress: K8sObject, host: string, url: string): string | undefined {
  const rule = ingress.spec.rules.find((r: { host?: string }) => (r.host ?? '') === host);
  const path = url.split('?')[0] ?? url;
  return listenerRules(rule.http.paths).find((r) => r.patterns.some((p) => matches(p, path)))?.service;
}

/**
 * The pages of a route that matches with a function (a `matcher`, which the parser cannot read),
 * by the function's name; the web app's tests open each of them through the router.
 */
const MATCHER_ROUTES: Record<string, string[]> = {
  // `/` (a new generation) and `/g/:jobId` (one generation): apps/web/src/app/generate/generate-page.spec.ts.
  generateMatcher: ['', 'g/:jobId'],
};

/** The web app's routes, read from its router with the TypeScript parser: children joined to their parents. */
function webRoutes(): string[] {
  const file = 'apps/web/src/app/app.routes.ts';
  const source = ts.createSourceFile(file, readSource(file), ts.ScriptTarget.Latest, true);
  const routesOf = (list: ts.ArrayLiteralExpression, parent: string): string[] =>
    list.elements.filter(ts.isObjectLiteralExpression).flatMap((route) => {
      const property = (name: string) =>
        route.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)?.initializer;
      const own = property('path');
      const matcher = property('matcher');
      const paths = own && ts.isStringLiteral(own) ? [own.text] : matcher && MATCHER_ROUTES[matcher.getText()];
      if (!paths) throw new Error(`${file}: a route without a literal path or a known matcher: ${route.getText()}`);
      const children = property('children');
      return paths.flatMap((page) => {
        const path = [parent, page].filter(Boolean).join('/');
        return [path, ...(children && ts.isArrayLiteralExpression(children) ? routesOf(children, path) : [])];
      });
    });
  let found: ts.ArrayLiteralExpression | undefined;
  source.forEachChild(function visit(node) {
    if (ts.isVariableDeclaration(node) && node.type?.getText() === 'Routes' && node.initializer && ts.isArrayLiteralExpression(node.initializer)) {
      found = node.initializer;
    }
    node.forEachChild(visit);
  });
  if (!found) throw new Error(`${file}: no Routes array`);
  return [...new Set(routesOf(found, ''))];
}

/** A URL the browser may load for a route: parameters filled in, the wildcard as an unknown deep link. */
const urlOf = (route: string) => `/${route.replace(/:[^/]+/g, 'abc123').replace(/\*\*/g, 'some/unknown/page')}`;

/** Every API route as the browser calls it: the OpenAPI document's paths under its server URL, and the document itself. */
function apiUrls(): string[] {
  const document = JSON.parse(readSource('docs/openapi.json')) as { servers: { url: string }[]; paths: Record<string, unknown> };
  const server = document.servers[0]?.url ?? '';
  return [...Object.keys(document.paths).map((path) => `${server}${path.replace(/\{[^}]+\}/g, 'abc123')}`), '/api/docs', '/api/docs-json'];
}

describe.each(['values-prod.yaml', 'values-staging.yaml', 'values-dev.yaml'])('the public URL layout with %s', (file) => {
  const objects = render({ files: [file] });
  const ingress = find(objects, 'Ingress', 'pp');
  const host = ingress.spec.rules[0].host ?? '';
  const config = parseWebRuntimeConfig(JSON.parse(String(find(objects, 'ConfigMap', 'pp-web-config').data?.['config.json'])));

  it('finds the pages in the web app’s router, nested ones and the catch-all included', () => {
    const routes = webRoutes();
    expect(routes).toEqual(expect.arrayContaining(['', 'g/:jobId', 'gallery', 'gallery/:id', '**']));
  });

  it.each(webRoutes().map(urlOf))('sends the page %s to web', (url) => {
    expect(routeOf(ingress, host, url)).toBe('pp-web');
  });

  it.each(['/index.html', '/config.json', '/favicon.svg', '/main-3HQ7XK2P.js', '/chunk-A1B2C3D4.js', '/styles-5E6F7G8H.css', '/apiary'])(
    'sends the web build’s file %s to web',
    (url) => {
      expect(routeOf(ingress, host, url)).toBe('pp-web');
    },
  );

  it('serves every file of the web app’s public folder from web', () => {
    for (const name of readdirSync(join(root, 'apps/web/public'))) expect({ name, to: routeOf(ingress, host, `/${name}`) }).toEqual({ name, to: 'pp-web' });
  });

  it.each(apiUrls())('sends the API route %s to the gateway', (url) => {
    expect(routeOf(ingress, host, url)).toBe('pp-gateway');
  });

  it('gives the browser the API base URL the OpenAPI document names as its server', () => {
    const document = JSON.parse(readSource('docs/openapi.json')) as { servers: { url: string }[] };
    expect(config.apiBaseUrl).toBe(document.servers[0]?.url);
    expect(routeOf(ingress, host, `${config.apiBaseUrl}/generate`)).toBe('pp-gateway');
  });
});

describe('the listener rule evaluation itself', () => {
  const ingress = {
    spec: {
      rules: [
        {
          host: 'h',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web' } } },
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api' } } },
              { path: '/api/docs', pathType: 'Exact', backend: { service: { name: 'docs' } } },
            ],
          },
        },
      ],
    },
  } as unknown as K8sObject;

  it.each([
    ['/api/docs', 'docs'],
    ['/api/docs/x', 'api'],
    ['/api', 'api'],
    ['/api/', 'api'],
    ['/apis', 'web'],
    ['/API/generate', 'web'],
    ['/', 'web'],
  ])('routes %s to %s: Exact first, then the longest prefix, element-wise and case-sensitive', (url, service) => {
    expect(routeOf(ingress, 'h', url)).toBe(service);
  });
});
