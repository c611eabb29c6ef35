import { createHostMatcher, hostnameOf } from './host-allowlist';

describe('hostnameOf', () => {
  it.each([
    ['api.example', 'api.example'],
    ['API.Example:8000', 'api.example'],
    ['[::1]:8000', '::1'],
    ['[::1]', '::1'],
    ['example.com.', 'example.com'],
  ])('%s -> %s', (input, expected) => expect(hostnameOf(input)).toBe(expected));
});

describe('createHostMatcher', () => {
  it('admits everything when the list is empty', () => {
    expect(createHostMatcher([])('anything')).toBe(true);
    expect(createHostMatcher([])(undefined)).toBe(true);
  });

  const matcher = createHostMatcher(['localhost', 'api.example.com', '*.api.example']);

  it.each([
    'localhost',
    'localhost:8000',
    'api.example.com',
    'eu.api.example',
    'a.b.api.example',
    'EU.API.EXAMPLE:443',
  ])('admits %s', (host) => expect(matcher(host)).toBe(true));

  it.each([
    undefined,
    '',
    'api.example',
    'api.example.evil',
    'evilapi.example',
    'eu.api.example.evil',
    'x.api.example.com.evil',
  ])('rejects %s', (host) => expect(matcher(host)).toBe(false));
});
