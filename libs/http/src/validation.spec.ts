import { ValidationError } from '@nestjs/common';
import { fieldIssues } from './validation';

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
