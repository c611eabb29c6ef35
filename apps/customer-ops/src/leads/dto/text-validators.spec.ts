import { validateSync } from 'class-validator';
import { HasMinDigits, IsStorableMultilineText, IsStorableText } from './text-validators';

class OneLine {
  @IsStorableText()
  value: unknown;
}

class FreeText {
  @IsStorableMultilineText()
  value: unknown;
}

class Phone {
  @HasMinDigits(7)
  value: unknown;
}

const problems = (Dto: new () => { value: unknown }, value: unknown) => {
  const dto = new Dto();
  dto.value = value;
  return validateSync(dto).flatMap((error) => Object.values(error.constraints ?? {}));
};
const accepts = (Dto: new () => { value: unknown }, value: unknown) => problems(Dto, value).length === 0;

const hex = (text: string) => [...text].map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join(' ');

/** Every code point of the C0 and C1 ranges and DEL. */
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\u007f',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
];
const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];
const LONE_SURROGATES = ['\ud800', '\udfff', '\udc00\ud800'];
const ORDINARY = [
  'Jane Roofer',
  'Émilie Ørsted-Łukasz',
  '東京 ルーフィング',
  'مرحبا بالعالم',
  'emoji \u{1f600} and flags \u{1f1fa}\u{1f1f8}',
  'variation \u2764\ufe0f',
  'combining e\u0301',
  'tricky: %_\\\'"<script>${x}',
  '',
];

describe('IsStorableText (one line)', () => {
  it.each(ORDINARY)('accepts ordinary Unicode text %#', (text) => {
    expect(accepts(OneLine, text)).toBe(true);
  });

  it.each([...CONTROLS, ...INVISIBLE, ...LONE_SURROGATES].map((c) => [hex(c), c]))(
    'refuses %s anywhere in the value',
    (_, char) => {
      for (const value of [char, `a${char}`, `${char}b`, `a${char}b`]) expect(accepts(OneLine, value)).toBe(false);
    },
  );

  it('refuses tab, LF and CRLF: the value is one line', () => {
    for (const value of ['a\tb', 'a\nb', 'a\r\nb', 'a\rb']) expect(accepts(OneLine, value)).toBe(false);
  });

  it('names the property and never echoes the value', () => {
    const [message] = problems(OneLine, 'secret\u202evalue');
    expect(message).toMatch(/^value must be one line of Unicode text without control characters/);
    expect(message).not.toContain('secret');
  });

  it('leaves non-strings to the type checks', () => {
    for (const value of [undefined, null, 42, { a: 1 }]) expect(accepts(OneLine, value)).toBe(true);
  });
});

describe('IsStorableMultilineText (free text)', () => {
  it.each([...ORDINARY, 'line one\nline two', 'windows\r\nline breaks\r\n', 'a\ttabbed\tvalue', '\n\n\t'])(
    'accepts text with tab, LF and CRLF %#',
    (text) => {
      expect(accepts(FreeText, text)).toBe(true);
    },
  );

  // CR is refused only on its own (below): before an LF it is a CRLF line break.
  const refused = [...CONTROLS.filter((c) => !'\t\n\r'.includes(c)), ...INVISIBLE, ...LONE_SURROGATES];
  it.each(refused.map((c) => [hex(c), c]))('refuses %s anywhere in the value', (_, char) => {
    for (const value of [char, `a${char}`, `${char}b`, `line\n${char}\nline`]) {
      expect(accepts(FreeText, value)).toBe(false);
    }
  });

  it('refuses a CR that does not start a CRLF', () => {
    for (const value of ['a\rb', 'a\r', '\r\r\n', 'a\n\rb']) expect(accepts(FreeText, value)).toBe(false);
  });

  it('names the property', () => {
    expect(problems(FreeText, 'a\u0000b')[0]).toMatch(/^value must be Unicode text without control characters/);
  });
});

describe('HasMinDigits', () => {
  it('counts digits, not characters', () => {
    expect(accepts(Phone, '+1 (555) 010-2030')).toBe(true);
    expect(accepts(Phone, '1234567')).toBe(true);
    expect(accepts(Phone, '12 34 56 7')).toBe(true);
    expect(accepts(Phone, '123456')).toBe(false);
    expect(accepts(Phone, '+() -.  .- ()+')).toBe(false);
    expect(accepts(Phone, '(1) 2-3.4 5+6')).toBe(false);
  });

  it('says how many digits are needed', () => {
    expect(problems(Phone, '------')).toEqual(['value must contain at least 7 digits']);
  });
});
