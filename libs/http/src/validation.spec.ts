import { ValidationError } from '@nestjs/common';
import { capIssues, FieldIssue, RequestValidationFailed } from './errors';
import { fieldIssues, reservedKeyIssues } from './validation';

describe('fieldIssues', () => {
  it('flattens nested errors into dotted field paths', () => {
    const nested: ValidationError = {
      property: 'code',
      constraints: { isString: 'code must be a string' },
      children: [],
    };
    const errors: ValidationError[] = [
      { property: 'name', constraints: { minLength: 'too short', isString: 'not a string' }, children: [] },
      { property: 'items', children: [{ property: '0', children: [nested] }] },
    ];
    expect(fieldIssues(errors)).toEqual([
      { field: 'name', messages: ['too short', 'not a string'] },
      { field: 'items.0.code', messages: ['code must be a string'] },
    ]);
  });
});

describe('reservedKeyIssues', () => {
  it('finds reserved keys at any depth, in document order', () => {
    const value = JSON.parse('{"a":{"__proto__":1},"constructor":2,"b":[{"toString":3}],"c":{"d":{"prototype":4}}}');
    expect(reservedKeyIssues(value).map((issue) => issue.field)).toEqual([
      'a.__proto__',
      'constructor',
      'b.0.toString',
      'c.d.prototype',
    ]);
  });

  it('walks deep values without recursion', () => {
    let value: unknown = { __proto__x: 1, valueOf: 1 };
    for (let i = 0; i < 20_000; i++) value = { n: value };
    const [issue] = reservedKeyIssues(value);
    expect(issue.field.split('.')).toHaveLength(20_001);
    expect(issue.field.endsWith('.valueOf')).toBe(true);
  });
});

describe('validation details are capped', () => {
  const issues = (n: number): FieldIssue[] =>
    Array.from({ length: n }, (_, i) => ({ field: `k${i}`, messages: ['x'] }));

  it('keeps up to 20 issues as they are', () => {
    expect(capIssues(issues(20))).toEqual(issues(20));
    expect(capIssues([])).toEqual([]);
  });

  it('past 20, keeps the first 20 and counts the rest in a final "*" entry', () => {
    expect(capIssues(issues(21))).toEqual([...issues(20), { field: '*', messages: ['and 1 more problem'] }]);
    expect(capIssues(issues(1000))).toEqual([...issues(20), { field: '*', messages: ['and 980 more problems'] }]);
    expect(new RequestValidationFailed(issues(500)).details).toHaveLength(21);
  });
});
