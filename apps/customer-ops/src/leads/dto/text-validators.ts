import { isEmail, ValidateBy, ValidationOptions } from 'class-validator';

/*
 * Text checks for DTO fields that are stored: what passes them is what the database keeps,
 * on SQLite and Postgres alike.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isStorable = (value: unknown) =>
  typeof value !== 'string' || (!value.includes('\u0000') && !LONE_SURROGATE.test(value));

/**
 * Text every database stores exactly as sent: no NUL (Postgres refuses it in text columns)
 * and no unpaired UTF-16 surrogate (it has no UTF-8 encoding).
 */
export function IsStorableText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: isStorable,
        defaultMessage: () => '$property must be Unicode text without NUL characters',
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
