import { Injectable } from '@nestjs/common';
import { parse as parseDotEnv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { AppConfig, loadConfig } from './app-config';

export type Environment = Record<string, string | undefined>;

/**
 * The one place that reads process.env. A `.env` file in the working directory is merged
 * underneath when present: variables set in the real environment win. process.env itself is
 * never modified, so reading again picks up edits to `.env`.
 */
export function readProcessEnvironment(): Environment {
  const dotEnv = existsSync('.env') ? parseDotEnv(readFileSync('.env')) : {};
  return { ...dotEnv, ...process.env };
}

export function loadConfigFromProcess(): AppConfig {
  return loadConfig(readProcessEnvironment());
}

let parsed: AppConfig | undefined;

/**
 * The process's configuration: parsed from the environment on first use, then the same object
 * for the entry point and for every module. A bad environment throws ConfigValidationError.
 */
export function processConfig(): AppConfig {
  parsed ??= loadConfigFromProcess();
  return parsed;
}

/**
 * Reads the environment on demand, for sources that must be re-read at run time (the
 * API_KEY_<TENANT> variables on every auth reload). Tests replace it with a fixed map.
 */
@Injectable()
export class EnvironmentReader {
  read(): Environment {
    return readProcessEnvironment();
  }
}
