import { RouteTable } from './route-table';

function table(caseSensitive = false, trailingSlash = true): RouteTable {
  const routes = new RouteTable({ caseSensitive, trailingSlash });
  routes.add('POST', '/v1/leads');
  routes.add(['GET', 'HEAD'], '/v1/leads');
  routes.add('GET', '/v1/leads/search');
  routes.add('GET', '/v1/leads/:id');
  routes.add('POST', '/v1/leads/:id/outcome');
  routes.add('DELETE', '/ops/tenants/:tenant');
  routes.add('PATCH', '/ops/tenants/:tenant');
  routes.add('GET', '/docs/*');
  return routes;
}

describe('RouteTable', () => {
  it('finds the template serving a method on a path; HEAD is served by GET', () => {
    const routes = table();
    expect(routes.templateFor('GET', '/v1/leads/abc')).toBe('/v1/leads/:id');
    expect(routes.templateFor('HEAD', '/v1/leads/abc')).toBe('/v1/leads/:id');
    expect(routes.templateFor('post', '/v1/leads/abc/outcome')).toBe('/v1/leads/:id/outcome');
    expect(routes.templateFor('DELETE', '/v1/leads')).toBeUndefined();
    expect(routes.templateFor('GET', '/nowhere')).toBeUndefined();
  });

  it('lists the methods a path accepts in a stable order, without HEAD', () => {
    const routes = table();
    expect(routes.allowedMethods('/v1/leads')).toEqual(['GET', 'POST']);
    expect(routes.allowedMethods('/v1/leads/search')).toEqual(['GET']);
    expect(routes.allowedMethods('/ops/tenants/ACME')).toEqual(['PATCH', 'DELETE']);
    expect(routes.allowedMethods('/v1/leads/a/b/c')).toEqual([]);
    expect(routes.allowedMethods('/docs/swagger-ui.css')).toEqual(['GET']);
  });

  it('matches raw paths: percent-encoding is not decoded, query strings are not part of them', () => {
    const routes = table();
    expect(routes.allowedMethods('/v1/leads/a%2Fb')).toEqual(['GET']);
    expect(routes.allowedMethods('/v1/leads/a/b')).toEqual([]);
  });

  it('follows the platform on case and trailing slashes', () => {
    expect(table(false, true).allowedMethods('/V1/LEADS/')).toEqual(['GET', 'POST']);
    expect(table(true, false).allowedMethods('/V1/LEADS')).toEqual([]);
    expect(table(true, false).allowedMethods('/v1/leads/')).toEqual([]);
  });

  it('leaves out templates it cannot read instead of failing', () => {
    const routes = new RouteTable({ caseSensitive: false, trailingSlash: true });
    routes.add('GET', '/bad/:');
    routes.add('GET', '/good');
    expect(routes.size).toBe(1);
    expect(routes.allowedMethods('/good')).toEqual(['GET']);
  });
});
