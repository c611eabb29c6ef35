import { isEmail, ValidateBy, ValidationOptions } from 'class-validator';

/*
 * Text checks for DTO fields that are stored: what passes them is what the database keeps,
 * on SQLite and Postgres alike.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/*
 * Refused everywhere: the C0 and C1 control characters and DEL, and the characters that change
 * how text displays without showing themselves: zero-width space and joiners, word joiner and
 * BOM (U+200B-U+200D, U+2060, U+FEFF), and the bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069) that make a stored value read differently from what it is.
 * Free text (MULTILINE) keeps tab, LF and CRLF; a CR on its own is refused.
 */
/* eslint-disable no-control-regex */
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]/;
const MULTILINE_FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;
/* eslint-enable no-control-regex */

const isStorable = (forbidden: RegExp) => (value: unknown) =>
  typeof value !== 'string' || (!LONE_SURROGATE.test(value) && !forbidden.test(value));

/**
 * One-line text every database stores exactly as sent and every screen shows as it is: no
 * control character (NUL, which Postgres refuses, tab and line breaks included), no invisible
 * formatting character (zero-width, BOM, bidi overrides and isolates) and no unpaired UTF-16
 * surrogate (it has no UTF-8 encoding). For names, companies, sources, notes, display names.
 */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: isStorable(SINGLE_LINE_FORBIDDEN),
        defaultMessage: () =>
          '$property must be one line of Unicode text without control characters (tab and line breaks included) or invisible formatting characters',
      },
    },
    options,
  );
}

/**
 * IsStorableText for free text that may span lines: tab, LF and CRLF are allowed; every
 * other control character (a CR not followed by LF too) and every invisible one is refused.
 */
export function IsStorableMultilineText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableMultilineText',
      validator: {
        validate: isStorable(MULTILINE_FORBIDDEN),
        defaultMessage: () =>
          '$property must be Unicode text without control characters other than tab and line breaks, or invisible formatting characters',
      },
    },
    options,
  );
}

/** At least `min` ASCII digits somewhere in the string (a phone number of only punctuation is none). */
export function HasMinDigits(min: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasMinDigits',
      constraints: [min],
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || (value.match(/[0-9]/g)?.length ?? 0) >= min,
        defaultMessage: () => `$property must contain at least ${min} digits`,
      },
    },
    options,
  );
}

/**
 * A length cap counted in code points, as the database's varchar(n) counts. MaxLength counts
 * with validator.js, which skips U+FE0E/U+FE0F variation selectors: without this check a value
 * over the column's size passes validation and fails the insert.
 */
export function MaxCodePoints(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxCodePoints',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || [...value].length <= max,
        defaultMessage: () => `$property must be shorter than or equal to ${max} characters`,
      },
    },
    options,
  );
}

/** IsEmail without its crash on unpaired surrogates (validator.js runs encodeURI on the input). */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmail',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value) && isEmail(value),
      },
    },
    options,
  );
}
