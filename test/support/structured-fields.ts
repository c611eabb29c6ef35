/** Structured Field Values (RFC 8941), as far as the rate-limit headers use them: for asserting header syntax. */
export type Bare = string | number | boolean | { token: string };
export interface Item {
  value: Bare;
  params: Record<string, Bare>;
}

/** A strict RFC 8941 List parser (items with parameters; no inner lists, decimals or byte sequences). */
export function parseSfList(input: string): Item[] {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${at} in ${JSON.stringify(input)}`);
  };
  const skip = (pattern: RegExp) => {
    while (at < input.length && pattern.test(input[at])) at++;
  };
  const bare = (): Bare => {
    if (input[at] === '"') {
      let out = '';
      for (at++; at < input.length; at++) {
        const char = input[at];
        if (char === '\\') {
          const next = input[++at];
          if (next !== '"' && next !== '\\') fail('bad escape');
          out += next;
        } else if (char === '"') {
          at++;
          return out;
        } else if (char < ' ' || char > '~') fail('not printable');
        else out += char;
      }
      return fail('unterminated string');
    }
    const integer = /^-?\d{1,15}(?![.\d])/.exec(input.slice(at));
    if (integer) {
      at += integer[0].length;
      return Number(integer[0]);
    }
    if (input[at] === '?') {
      const flag = input[at + 1];
      if (flag !== '0' && flag !== '1') fail('bad boolean');
      at += 2;
      return flag === '1';
    }
    const token = /^[A-Za-z*][!#$%&'*+\-.^_`|~\w:/]*/.exec(input.slice(at));
    if (!token) return fail('expected a bare item');
    at += token[0].length;
    return { token: token[0] };
  };
  const params = (): Record<string, Bare> => {
    const out: Record<string, Bare> = {};
    while (input[at] === ';') {
      at++;
      skip(/ /);
      const key = /^[a-z*][a-z0-9_\-.*]*/.exec(input.slice(at));
      if (!key) return fail('expected a key');
      at += key[0].length;
      if (input[at] === '=') {
        at++;
        out[key[0]] = bare();
      } else out[key[0]] = true;
    }
    return out;
  };
  const items: Item[] = [];
  skip(/ /);
  while (at < input.length) {
    items.push({ value: bare(), params: params() });
    skip(/[ \t]/);
    if (at === input.length) break;
    if (input[at] !== ',') fail('expected ","');
    at++;
    skip(/[ \t]/);
    if (at === input.length) fail('trailing ","');
  }
  return items;
}
